// tasksync-fakes: serves the fake providers (ProviderFakes) on 127.0.0.1 for
// `tasksync demo` and `tasksync-benchmark`, which start it as a child process,
// so that the `tasksync` binary itself links no fake server. The lines it
// prints and the commands it reads are in Sources/FakesWire/FakesWire.swift.
import ArgumentParser
import FakesWire
import Foundation
import ProviderFakes

#if canImport(Glibc)
    import Glibc
#endif

@main
struct TaskSyncFakes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasksync-fakes",
        abstract: "Serves local fakes of the provider APIs on 127.0.0.1, for `tasksync demo` (which starts it).",
        discussion: """
            Prints one line once the fakes serve: `ready` and JSON naming each fake's kind, \
            base_url and token (and the ids of the tasks it seeded). Then answers one command \
            a line on stdin: `edit KIND ID JSON`, `tasks KIND [LIMIT]`, `ledger`, `reset`, \
            `advance SECONDS`, `latency MS [KIND]`, `quit`. Exits when stdin closes, on `quit`, SIGTERM or SIGINT. \
            The fakes hold everything in memory and forget it when the program ends.
            """)

    @Option(name: .long, help: "A kind of fake to serve (repeat for more); default all: \(servedKinds.map(\.kind).joined(separator: ", ")).")
    var kind: [String] = []

    @Option(name: .long, help: "What the fakes hold at the start: demo (the demo's tasks), none, or KIND:N (N numbered tasks on that fake).")
    var seed = "demo"

    @Option(name: .long, help: "Seconds the fakes' clock runs ahead of the real one (negative: behind; write --clock-offset=-3600).")
    var clockOffset: Double = 0

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "A fake's switch, e.g. productive.include_on_writes=honoured, productive.enforce_rate_limits=true, "
                + "proofhub.enforce_rate_limits=true, proofhub.sub_tasks=count|zero|absent, productive.time_scale=10 (its windows 10 times shorter), "
                + "or any kind's latency_ms=N (overrides --latency for that kind).",
            valueName: "kind.name=value"))
    var switches: [String] = []

    @Option(name: .long, help: "Milliseconds every answer of every fake waits before it is served (a slow provider); default 0.")
    var latency: Double = 0

    func run() async throws {
        // The fakes keep nothing worth saving: SIGTERM and SIGINT end the
        // process at once (the default, set again in case the parent's
        // ignored signals were inherited). A reply to a parent that is gone
        // fails quietly; its closed stdin then ends the loop.
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
        signal(SIGPIPE, SIG_IGN)

        var kinds = servedKinds
        if !kind.isEmpty {
            kinds = try kind.map { name in
                guard let kind = servedKinds.first(where: { $0.kind == name }) else { throw ValidationError("no fake of kind '\(name)'") }
                return kind
            }
        }
        var settings: [String: [String: String]] = [:]
        for item in switches {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let key = parts[0].split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, key.count == 2, kinds.contains(where: { $0.kind == key[0] }) else {
                throw ValidationError("--set \(item): expected KIND.NAME=VALUE for a kind served")
            }
            settings[key[0], default: [:]][key[1]] = parts[1]
        }
        guard latency >= 0 else { throw ValidationError("--latency \(latency): expected milliseconds, 0 or more") }
        let clock = FakeClock(offset: clockOffset)
        var fakes: [(kind: String, fake: any ServedFake)] = []
        for kind in kinds {
            // latency_ms is every kind's switch; the others are the kind's own.
            var own = settings[kind.kind] ?? [:]
            var milliseconds = latency
            if let value = own.removeValue(forKey: "latency_ms") {
                guard let ms = Double(value), ms >= 0 else { throw ValidationError("--set \(kind.kind).latency_ms=\(value): expected milliseconds") }
                milliseconds = ms
            }
            let fake = try kind.make(clock, own)
            if milliseconds > 0 { await fake.setLatency(milliseconds / 1000) }
            fakes.append((kind.kind, fake))
        }

        var ready = FakesReady(fakes: [])
        for (kind, fake) in fakes { ready.fakes.append(.init(kind: kind, baseURL: try await fake.start(), token: fake.token)) }
        switch seed {
        case "none": break
        case "demo":
            for (i, served) in fakes.enumerated() { ready.fakes[i].seeded = await served.fake.seedDemo() }
        default:
            let parts = seed.split(separator: ":").map(String.init)
            guard parts.count == 2, let count = Int(parts[1]), count >= 0, let served = fakes.first(where: { $0.kind == parts[0] }) else {
                throw ValidationError("--seed \(seed): expected demo, none or KIND:N for a kind served")
            }
            await served.fake.seedNumbered(count)
        }
        Self.say(FakesReady.prefix + FakesJSON.line(ready))

        let byKind = Dictionary(fakes.map { ($0.kind, $0.fake) }, uniquingKeysWith: { first, _ in first })
        let input = LineReader(fileDescriptor: STDIN_FILENO)
        while case .line(let line) = await input.next() {
            let command = line.trimmingCharacters(in: .whitespaces)
            if command.isEmpty { continue }
            if command == "quit" {
                Self.say("ok")
                break
            }
            do {
                let answer = try await Self.answer(command, fakes: byKind, clock: clock)
                Self.say(answer.map { "ok " + $0 } ?? "ok")
            } catch {
                Self.say("error \(String(describing: error).replacingOccurrences(of: "\n", with: " "))")
            }
        }
        for (_, fake) in fakes { await fake.stop() }
    }

    static func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// One command's answer: nil for a bare `ok`, else the JSON after it.
    static func answer(_ command: String, fakes: [String: any ServedFake], clock: FakeClock) async throws -> String? {
        let words = command.split(separator: " ", maxSplits: 3).map(String.init)
        func fake(_ index: Int) throws -> any ServedFake {
            guard words.count > index else { throw ServedFakeError("\(words[0]): which kind?") }
            guard let fake = fakes[words[index]] else { throw ServedFakeError("no \(words[index]) fake here") }
            return fake
        }
        switch words[0] {
        case "edit":
            guard words.count == 4 else { throw ServedFakeError("expected: edit KIND ID JSON") }
            try await fake(1).apply(try FakesJSON.decode(FakeEdit.self, from: words[3]), to: words[2])
            return nil
        case "tasks":
            // `tasks KIND [LIMIT]`: the first LIMIT only, so a benchmark that wants one task does not read 100,000.
            let all = try await fake(1).snapshot()
            guard words.count > 2 else { return FakesJSON.line(all) }
            guard let limit = Int(words[2]), limit >= 0 else { throw ServedFakeError("expected: tasks KIND [LIMIT]") }
            return FakesJSON.line(Array(all.prefix(limit)))
        case "ledger":
            var counts: [String: FakeLedgerCounts] = [:]
            for (kind, fake) in fakes { counts[kind] = await fake.ledgerCounts() }
            return FakesJSON.line(counts)
        case "reset":
            for fake in fakes.values { await fake.resetLedger() }
            return nil
        case "advance":
            guard words.count == 2, let seconds = Double(words[1]) else { throw ServedFakeError("expected: advance SECONDS") }
            clock.advance(seconds: seconds)
            return nil
        case "latency":
            guard (2...3).contains(words.count), let milliseconds = Double(words[1]), milliseconds >= 0 else {
                throw ServedFakeError("expected: latency MS [KIND]")
            }
            for served in try words.count == 3 ? [fake(2)] : Array(fakes.values) { await served.setLatency(milliseconds / 1000) }
            return nil
        default:
            throw ServedFakeError("unknown command '\(words[0])' (edit, tasks, ledger, reset, advance, latency, quit)")
        }
    }
}
