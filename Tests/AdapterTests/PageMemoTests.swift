import AdapterSupport
import Testing

@Suite("PageMemo")
struct PageMemoTests {
    @Test("a page with the same bytes is not parsed again; any change is")
    func reparsesOnlyChanges() throws {
        let memo = PageMemo<String>()
        var parses = 0
        func read(_ page: Int, _ text: String) throws -> String {
            try memo.read(page: page, body: Array(text.utf8)) { body in
                parses += 1
                return String(decoding: body, as: UTF8.self).uppercased()
            }
        }
        #expect(try read(1, "abc") == "ABC")
        #expect(try read(1, "abc") == "ABC")
        #expect(parses == 1)
        #expect(try read(1, "abd") == "ABD")
        #expect(try read(2, "abc") == "ABC")
        #expect(parses == 3)
    }

    @Test("a page that fails to parse is not remembered")
    func failuresAreNotKept() throws {
        let memo = PageMemo<Int>()
        struct Bad: Error {}
        #expect(throws: Bad.self) { try memo.read(page: 1, body: [1]) { _ in throw Bad() } }
        #expect(try memo.read(page: 1, body: [1]) { _ in 7 } == 7)
    }
}
