import Foundation
import ProviderCatalog
import Testing

@testable import SyncConfig

/// A seeded generator (SplitMix64), so that a failing mutation can be replayed.
struct FuzzRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Config fuzz: mutated configs never crash and never pass a broken reference")
struct ConfigFuzzTests {
    static let source = "/etc/tasksync/tasksync.toml"

    /// The example config shipped in config/tasksync.toml.
    static let example: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("config/tasksync.toml"), encoding: .utf8)) ?? ""
    }()

    enum Outcome {
        case valid(SyncConfiguration)
        case errors([ConfigError])
    }

    func load(_ text: String) -> Outcome {
        do {
            return .valid(try ConfigLoader.parse(text, source: Self.source))
        } catch let e as ConfigErrors {
            return .errors(e.errors)
        } catch {
            Issue.record("not a ConfigErrors: \(error)")
            return .errors([])
        }
    }

    @Test("the shipped example config is valid")
    func exampleIsValid() throws {
        #expect(!Self.example.isEmpty)
        let c = try ConfigLoader.parse(Self.example, source: Self.source)
        #expect(c.providers.map(\.name) == ["support-board", "web-project"])
        #expect(c.links.first?.statuses.count == 3)
        #expect(c.provider(named: "support-board")?.settings["board_id"] == "1")
    }

    static func mutate(_ text: String, _ rng: inout FuzzRandom) -> (String, String) {
        var lines = text.components(separatedBy: "\n")
        let n = Int.random(in: 0..<lines.count, using: &rng)
        let line = lines[n]
        let cut = line.isEmpty ? 0 : Int.random(in: 0...line.count, using: &rng)
        let at = line.index(line.startIndex, offsetBy: cut)
        let inserts = ["[", "]", "\"", "=", "[[", "{", "}", ",", "#", "'", "\\", "\t", ".", "\u{0}", "é", "🎉", "\r", "[[link", "[link.status]", "= ="]
        let values = [
            "1", "\"1\"", "\"\"", "-1", "0", "1.5", "true", "[]", "[\"a\"]", "{}", "\"../../etc/passwd\"", "\"🎉\"", "\"one\"", "inf", "99999999999999999999",
        ]
        let kind = Int.random(in: 0..<9, using: &rng)
        var what = ""
        switch kind {
        case 0:
            lines.remove(at: n)
            what = "delete line \(n + 1)"
        case 1:
            lines[n] = String(line[..<at])
            what = "cut line \(n + 1) at \(cut)"
        case 2:
            lines.insert(line, at: n)
            what = "duplicate line \(n + 1)"
        case 3, 4:
            let s = inserts.randomElement(using: &rng)!
            lines[n] = String(line[..<at]) + s + String(line[at...])
            what = "insert \(s.debugDescription) in line \(n + 1) at \(cut)"
        case 5:
            // Swap the values of two key lines.
            let keyed = lines.indices.filter { lines[$0].contains(" = ") && !lines[$0].hasPrefix("#") }
            let a = keyed.randomElement(using: &rng)!
            let b = keyed.randomElement(using: &rng)!
            let va = lines[a].components(separatedBy: " = ")
            let vb = lines[b].components(separatedBy: " = ")
            lines[a] = va[0] + " = " + vb.dropFirst().joined(separator: " = ")
            lines[b] = vb[0] + " = " + va.dropFirst().joined(separator: " = ")
            what = "swap the values of lines \(a + 1) and \(b + 1)"
        case 6:
            let keyed = lines.indices.filter { lines[$0].contains(" = ") && !lines[$0].hasPrefix("#") }
            let a = keyed.randomElement(using: &rng)!
            let v = values.randomElement(using: &rng)!
            lines[a] = lines[a].components(separatedBy: " = ")[0] + " = " + v
            what = "set line \(a + 1) to \(v)"
        case 7:
            let cutAt = Int.random(in: 0...text.utf8.count, using: &rng)
            return (String(decoding: Array(text.utf8)[..<cutAt], as: UTF8.self), "truncate at byte \(cutAt)")
        default:
            let m = Int.random(in: 0..<lines.count, using: &rng)
            lines.swapAt(n, m)
            what = "swap lines \(n + 1) and \(m + 1)"
        }
        return (lines.joined(separator: "\n"), what)
    }

    @Test("400 seeded mutations of the example: never a crash; valid, or every error names the file and a line or key")
    func mutations() {
        var rng = FuzzRandom(seed: 12)
        var valid = 0
        var invalid = 0
        for round in 0..<400 {
            var (text, what) = Self.mutate(Self.example, &rng)
            if round % 4 == 3 {  // some twice mutated
                let (again, more) = Self.mutate(text, &rng)
                text = again
                what += ", then " + more
            }
            switch load(text) {
            case .valid(let c):
                valid += 1
                // Whatever passes still holds together: members exist, status ids have their member's type.
                for link in c.links {
                    for m in link.members { #expect(c.provider(named: m) != nil, "round \(round) (\(what)): member \(m)") }
                    for s in link.statuses {
                        #expect(ConfigFuzzTests.plainStatusName(s.name), "round \(round) (\(what)): status name \(s.name)")
                        for (_, id) in s.remote { #expect(!id.isEmpty && id.allSatisfy { $0.isASCII && $0.isNumber }, "round \(round) (\(what))") }
                    }
                }
            case .errors(let errors):
                invalid += 1
                #expect(!errors.isEmpty, "round \(round) (\(what))")
                for e in errors {
                    #expect(e.file == Self.source, "round \(round) (\(what)): \(e)")
                    #expect(e.line != nil || !e.key.isEmpty, "round \(round) (\(what)): \(e) names no line or key")
                }
            }
        }
        // The mutations do break things, and do not break everything.
        #expect(invalid > 100)
        #expect(valid > 20)
    }

    static func plainStatusName(_ s: String) -> Bool { !s.isEmpty && !s.contains(":") && !s.contains("/") && !s.hasPrefix("?") }

    /// Each replaces one text of the example; each must be an error naming this key.
    static let brokenReferences: [(String, String, String)] = [
        ("members = [\"support-board\", \"web-project\"]", "members = [\"support-board\", \"nobody\"]", "members: no [[provider]] is named 'nobody'"),
        ("members = [\"support-board\", \"web-project\"]", "members = [\"support-board\"]", "members: a link needs two or more"),
        ("members = [\"support-board\", \"web-project\"]", "members = [\"support-board\", 1]", "members: expected an array of provider names"),
        ("members = [\"support-board\", \"web-project\"]", "members = \"support-board\"", "members: expected an array of provider names"),
        ("support-board = \"1\"", "support-board = \"../../etc/passwd\"", "status[0].support-board: expected a HelpSpace status id"),
        ("support-board = \"1\"", "support-board = \"one\"", "status[0].support-board: expected a HelpSpace status id"),
        ("support-board = \"1\"", "support-board = 1.5", "status[0].support-board: expected a HelpSpace status id"),
        ("support-board = \"1\"", "support-board = -1", "status[0].support-board: expected a HelpSpace status id"),
        ("web-project = \"2545\"", "web-project = \"\"", "status[0].web-project: expected a Productive status id"),
        ("web-project = \"2545\"", "web-project = \"🎉\"", "status[0].web-project: expected a Productive status id"),
        ("web-project = \"2545\"", "web-project = true", "status[0].web-project: expected a Productive status id"),
        ("web-project = \"2545\"", "nobody = \"2545\"", "status[0].nobody: not a member of this link"),
        ("web-project = \"2546\"", "web-project = \"2545\"", "status id 2545 is already mapped"),
        ("name = \"Done\"", "name = \"ftp://x\"", "status[2].name: a status name uses"),
        ("name = \"Done\"", "name = \"?support-board:3\"", "status[2].name: a status name uses"),
        ("name = \"Done\"", "name = \"\"", "status[2].name: a status name uses"),
        ("name = \"Done\"", "name = \"Doing\"", "status 'Doing' is mapped twice"),
        ("name = \"support-web\"", "name = \"0\"", "link[0] (0).name: use letters, digits"),
        ("name = \"support-web\"", "name = \"a b\"", "name: use letters, digits"),
        ("name = \"support-board\"", "name = \"9board\"", "name: use letters, digits"),
        ("board_id = 1", "board_id = \"one\"", "board_id: expected a HelpSpace id"),
        ("board_id = 1", "board_id = 0", "board_id: expected a HelpSpace id"),
        ("board_id = 1", "board_id = true", "board_id: expected a HelpSpace id"),
        ("organization_id = \"1987\"", "organization_id = \"19x7\"", "organization_id: expected a Productive id"),
        ("project_id = \"1911\"", "project_id = \"\"", "project_id: expected a Productive id"),
        ("task_list_id = \"361\"", "task_list_id = 1.5", "task_list_id: expected a Productive id"),
        ("# closed_status_id = \"2547\"", "closed_status_id = \"closed\"", "closed_status_id: expected a Productive id"),
        ("# base_url = \"https://api.helpspace.com\"", "base_url = \"ftp://api.helpspace.com\"", "base_url: must be https://"),
        ("# base_url = \"https://api.helpspace.com\"", "base_url = \"http://localhost.evil.example\"", "base_url: must be https://"),
        ("# base_url = \"https://api.helpspace.com\"", "base_url = \"not a url\"", "base_url: expected a URL"),
        ("# base_url = \"https://api.helpspace.com\"", "per_page = 51", "per_page: must be between 1 and 50"),
        ("# base_url = \"https://api.productive.io/api/v2\"", "page_size = 0", "page_size: must be between 1 and 200"),
        ("# base_url = \"https://api.productive.io/api/v2\"", "page_size = \"200\"", "page_size: expected a whole number"),
        ("token_credential = \"helpspace-token\"", "token_credential = \"../../etc/shadow\"", "token_credential: expected a credential name"),
        ("client_id = \"your-hs-client-id\"", "client_id = \"\"", "client_id: expected a value without spaces"),
        ("client_id = \"your-hs-client-id\"", "client_id = 12", "client_id: expected a string, found an integer"),
        ("on_delete = \"archive\"", "on_delete = \"shred\"", "on_delete: expected delete, archive or ignore"),
        ("max_delete_share = 0.25", "max_delete_share = 2", "max_delete_share: must be between 0 and 1"),
        ("max_delete_share = 0.25", "max_delete_share = nan", "max_delete_share: must be between 0 and 1"),
        ("poll_interval = 60", "poll_interval = \"60\"", "sync.poll_interval: expected a number"),
        ("comments_every = 30", "comments_every = 2.5", "sync.comments_every: expected a whole number"),
        ("kind = \"helpspace\"", "kind = \"trello\"", "kind: unknown kind 'trello'"),
        ("[[link.status]]\nname = \"To do\"", "[link.status]\nname = \"To do\"", "is already a table"),
    ]

    @Test("broken references and wrong types are never accepted, and the error names the key and line")
    func brokenReferences() {
        for (old, new, expected) in Self.brokenReferences {
            guard let range = Self.example.range(of: old) else {
                Issue.record("the example has no \(old.debugDescription)")
                continue
            }
            let text = Self.example.replacingCharacters(in: range, with: new)
            guard case .errors(let errors) = load(text) else {
                Issue.record("accepted: \(new.debugDescription)")
                continue
            }
            let found = errors.first { $0.description.contains(expected) }
            #expect(found != nil, "\(new.debugDescription): \(errors.map(\.description))")
            #expect(found?.line != nil, "\(new.debugDescription): no line")
        }
    }

    @Test("a link whose members, on_delete and max_delete_share lines are gone: members is required")
    func membersRequired() {
        var text = Self.example
        for key in ["members", "on_delete", "max_delete_share"] {
            text = text.components(separatedBy: "\n").filter { !$0.hasPrefix(key + " =") }.joined(separator: "\n")
        }
        guard case .errors(let errors) = load(text) else {
            Issue.record("accepted a link with no members")
            return
        }
        // The line of the link's header: the key is missing.
        let header = Self.example.components(separatedBy: "\n").firstIndex(of: "[[link]]")! + 1
        #expect(
            errors.map(\.description).contains {
                $0.hasPrefix("\(Self.source): link[0] (support-web).members: is required") && $0.hasSuffix("(line \(header))")
            })
    }
}
