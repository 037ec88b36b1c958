import AdapterSupport
import Foundation
import Testing

@Suite("Big ids: 64-bit integers stay exact (ProofHub ids exceed 2^53)")
struct BigIDTests {
    struct Task: Decodable { var id: FlexibleID }

    @Test("FlexibleID reads 9007199254740993 (2^53 + 1) digit for digit, as a number or a string")
    func flexibleID() throws {
        let tasks = try JSONDecoder().decode(
            [Task].self, from: Data(#"[{"id":9007199254740993},{"id":"9007199254740993"},{"id":9223372036854775807}]"#.utf8))
        #expect(tasks.map(\.id.value) == ["9007199254740993", "9007199254740993", "9223372036854775807"])
        #expect(tasks[0].id.int64 == 9_007_199_254_740_993)
        #expect(FlexibleID(9_007_199_254_740_993) == tasks[0].id)
    }

    @Test("an id beyond Int64 or with a fraction is refused, not rounded")
    func refused() {
        for json in [#"{"id":9223372036854775808}"#, #"{"id":1.5}"#] {
            #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(Task.self, from: Data(json.utf8)) }
        }
    }

    @Test("Lenient items and JSONReader keep big ids exact; JSON.number writes them exactly")
    func helpers() throws {
        let items = try JSONDecoder().decode([Lenient<Task>].self, from: Data(#"[{"id":985356917305},{"id":9007199254740993}]"#.utf8))
        #expect(items.map { (try? $0.value.get())?.id.value } == ["985356917305", "9007199254740993"])
        var reader = JSONReader(Array("9007199254740993".utf8))
        #expect(try reader.readInt() == 9_007_199_254_740_993)
        #expect(String(decoding: jsonBody(JSON.array([.number(9_007_199_254_740_993)])), as: UTF8.self) == "[9007199254740993]")
    }
}
