import ProviderFakes
import Testing

@testable import Mirror

@Suite("DenseTable (a link's entities, a listing's tasks): read like the dictionary it replaces")
struct DenseTableTests {
    func record(_ id: Int64, _ canonical: String = "") -> EntityRecord {
        EntityRecord(id: id, link: "l", kind: .task, parentID: nil, canonical: canonical, canonicalDigest: 0, state: .active)
    }

    @Test("set, read, change and remove by id, like the dictionary it replaces, over random operations")
    func behavesLikeADictionary() {
        var table = EntityTable()
        var model: [Int64: EntityRecord] = [:]
        var rng = SplitMix64(seed: 11)
        for step in 0..<5_000 {
            let id = Int64.random(in: 1...300, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0, 1:
                table[id] = record(id, "v\(step)")
                model[id] = record(id, "v\(step)")
            case 2:
                table[id]?.canonical = "changed \(step)"
                model[id]?.canonical = "changed \(step)"
            default:
                table[id] = nil
                model[id] = nil
            }
            #expect(table[id] == model[id])
        }
        #expect(table.count == model.count)
        #expect(Set(table.keys) == Set(model.keys))
        for (id, value) in model { #expect(table[id] == value) }
        #expect(zip(table.keys, table.values).allSatisfy { model[$0] == $1 })
    }
}
