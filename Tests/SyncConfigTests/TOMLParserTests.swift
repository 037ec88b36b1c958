import Foundation
import ProviderCatalog
import Testing

@testable import SyncConfig

@Suite("The config's TOML parser: malformed files are errors with a line, never a crash")
struct TOMLParserTests {
    func syntaxError(_ text: String) -> TOMLSyntaxError? {
        do {
            _ = try TOMLParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    func loaderErrors(_ text: String) -> [String] { configErrors(text) }

    // TOMLKit 0.6.0 (toml++) aborted the process with SIGABRT on these two:
    // an assertion in its C++ parser. Here each is an error naming the line.
    @Test("a cut [[link header is an error on its line (TOMLKit aborted)")
    func cutArrayHeader() {
        let e = syntaxError("[sync]\npoll_interval = 60\n[[link\nname = \"x\"\n")
        #expect(e?.line == 3)
        #expect(e?.message.contains("[[link]] is not closed") == true)
        let loaded = loaderErrors("[sync]\npoll_interval = 60\n[[link\n")
        #expect(loaded == ["/etc/tasksync/tasksync.toml: line 3, column 7: the header [[link]] is not closed with ]]"])
    }

    // Found by mutating config/tasksync.toml 400 times: TOMLKit 0.6.0 aborted
    // on 6 (toml.hpp:15481, parse_key(): Assertion `is_bare_key_character(*cp)
    // || is_string_delimiter(*cp)' failed), each a header with a stray [ or #.
    @Test("the headers that aborted TOMLKit are errors on their line", arguments: ["[[[link]]", "[\n[[provider]]", "[[#link]]", "[[\n", "[[#link.status]]"])
    func tomlKitAborts(header: String) {
        let e = syntaxError("[sync]\npoll_interval = 60\n\(header)\nname = \"x\"\n")
        #expect(e?.line == 3)
        #expect(loaderErrors("[sync]\n\(header)").first?.hasPrefix("/etc/tasksync/tasksync.toml: line 2, column ") == true)
    }

    @Test("a stray [ is an error on its line (TOMLKit aborted)")
    func strayBracket() {
        for text in ["[\n", "a = 1\n[", "[sync]\n[\npoll_interval = 5", "[[", "[[]]", "x = [", "x = [1,\n2", "[a]]"] {
            let e = syntaxError(text)
            #expect(e != nil, "\(text.debugDescription) parsed")
            #expect((e?.line ?? 0) >= 1)
        }
        #expect(syntaxError("a = 1\n[")?.line == 2)
    }

    @Test("values: strings, integers, floats, booleans, arrays, inline tables, comments")
    func values() throws {
        let t = try TOMLParser.parse(
            """
            # a comment
            s = "a \\"quoted\\" \\u00e9 # not a comment"  # a comment
            l = 'C:\\path'
            i = -1_000
            h = 0xff
            f = 2.5e-1
            b = true
            a = [ 1,
              2, # two
            ]
            [t.u]
            "quoted key" = { x = 1, y = "z" }
            [[arr]]
            n = 1
            [[arr]]
            n = 2
            [arr.sub]
            k = "v"
            """)
        guard case .string(let s) = t["s"]?.value else { Issue.record("s"); return }
        #expect(s == "a \"quoted\" é # not a comment")
        guard case .string(let l) = t["l"]?.value, case .integer(let i) = t["i"]?.value, case .integer(let h) = t["h"]?.value,
            case .float(let f) = t["f"]?.value, case .boolean(true) = t["b"]?.value, case .array(let a) = t["a"]?.value
        else {
            Issue.record("scalars")
            return
        }
        #expect(l == "C:\\path" && i == -1000 && h == 255 && f == 0.25 && a.count == 2)
        guard case .tableArray(let arr) = t["arr"]?.value else {
            Issue.record("arr")
            return
        }
        #expect(arr.tables.count == 2)
        #expect(arr.tables[1]["sub"] != nil)
        #expect(arr.tables[1].line == 15)
        #expect(t["i"]?.line == 4)
    }

    @Test("duplicate keys and tables, redefinitions and unsupported forms are errors with the line")
    func strict() {
        #expect(syntaxError("a = 1\na = 2")?.line == 2)
        #expect(syntaxError("[s]\n[s]")?.line == 2)
        #expect(syntaxError("a = 1\n[[a]]")?.message.contains("already an integer") == true)
        #expect(syntaxError("[[a]]\n[a]")?.line == 2)
        #expect(syntaxError("x = \"\"\"long\"\"\"")?.message.contains("multi-line") == true)
        #expect(syntaxError("x = 2026-11-27")?.message.contains("dates") == true)
        #expect(syntaxError("x = hello")?.message.contains("strings need quotes") == true)
        #expect(syntaxError("x = 1 2")?.message.contains("end of the line") == true)
        #expect(syntaxError("x = \"open")?.message.contains("not closed") == true)
        #expect(syntaxError("x = 01") != nil)
        #expect(syntaxError("x = 1__0") != nil)
        #expect(syntaxError("x = 99999999999999999999") != nil)
        #expect(syntaxError("x = \"\\q\"") != nil)
        #expect(syntaxError("= 1") != nil)
        #expect(syntaxError("x =") != nil)
        #expect(syntaxError("x = {a = 1\n") != nil)
        #expect(syntaxError("x = \"\\uD800\"") != nil)
    }

    @Test("deep nesting is an error, not a stack overflow")
    func deepNesting() {
        #expect(syntaxError("x = " + String(repeating: "[", count: 100_000))?.message.contains("nested more than 32") == true)
        #expect(syntaxError("x = " + String(repeating: "{a = ", count: 100_000))?.message.contains("nested more than 32") == true)
        #expect(syntaxError("x = " + String(repeating: "[", count: 32) + String(repeating: "]", count: 32)) == nil)
    }

    /// `TASKSYNC_CONFIG_FUZZ_ROUNDS` runs more (a crash kills the test process).
    static let rounds = ProcessInfo.processInfo.environment["TASKSYNC_CONFIG_FUZZ_ROUNDS"].flatMap(Int.init) ?? 2000

    @Test("random bytes and byte edits of the example: never a crash, an error always has a line")
    func randomBytes() {
        var rng = FuzzRandom(seed: 7)
        let example = Array(ConfigFuzzTests.example.utf8)
        let alphabet = Array("[]{}=\"',.#\\\n\r\t 0aZ_-+e:".utf8) + [0, 0x7F, 0xC3, 0xA9, 0xF0, 0x9F]
        for round in 0..<Self.rounds {
            var bytes: [UInt8]
            if round % 10 == 0 {
                bytes = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            } else {
                bytes = example
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let at = Int.random(in: 0...bytes.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: bytes.insert(alphabet.randomElement(using: &rng)!, at: at)
                    case 1 where at < bytes.count: bytes.remove(at: at)
                    default: if at < bytes.count { bytes[at] = alphabet.randomElement(using: &rng)! }
                    }
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                _ = try ConfigLoader.parse(text, source: "f.toml")
            } catch let e as ConfigErrors {
                for error in e.errors { #expect(error.file == "f.toml" && (error.line != nil || !error.key.isEmpty), "round \(round): \(error)") }
            } catch {
                Issue.record("round \(round): \(error)")
            }
        }
    }
}
