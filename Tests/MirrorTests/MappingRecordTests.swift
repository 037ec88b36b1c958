import Testing

@testable import Mirror

@Suite("MappingRecord: its packed optional integers read back as set, nil included")
struct MappingRecordTests {
    @Test("each of remoteUpdatedAt, shadowDigest and synced holds a value, 0 and nil apart from the others; equal records compare equal")
    func packedOptionals() {
        let fresh = MappingRecord(entityID: 1, provider: "p", remoteID: "r", parentRemoteID: nil, shadow: "", remoteUpdatedAt: nil)
        #expect(fresh.remoteUpdatedAt == nil && fresh.shadowDigest == nil && fresh.synced == nil)
        for value: Int64? in [0, -7, .max, nil] {
            var m = fresh
            m.remoteUpdatedAt = value
            m.shadowDigest = value.map { $0 &+ 1 }
            m.synced = value.map { $0 &+ 2 }
            #expect(m.remoteUpdatedAt == value)
            #expect(m.shadowDigest == value.map { $0 &+ 1 })
            #expect(m.synced == value.map { $0 &+ 2 })
            let built = MappingRecord(
                entityID: 1, provider: "p", remoteID: "r", parentRemoteID: nil, shadow: "", remoteUpdatedAt: value,
                shadowDigest: value.map { $0 &+ 1 }, synced: value.map { $0 &+ 2 })
            #expect(m == built)
            m.remoteUpdatedAt = nil
            m.shadowDigest = nil
            m.synced = nil
            #expect(m == fresh, "cleared, it is the record that never had them")
        }
        var one = fresh
        one.synced = 0
        #expect(one != fresh, "0 is a value, not nil")
        #expect(one.remoteUpdatedAt == nil && one.shadowDigest == nil)
    }
}
