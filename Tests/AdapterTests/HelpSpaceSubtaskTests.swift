import AdapterSupport
import Foundation
import HTTPTransport
import ProviderFakes
import ProviderKit
import Testing

@testable import HelpSpaceAdapter

/// HelpSpace writes a subtask through its task's PATCH, with the whole
/// `sub_tasks` list read just before. Two such writes under one task at once
/// (the engine sends up to `concurrency` writes together) would both send
/// the list as it was before either: on a server that takes the list as the
/// new whole, the second undoes the first.
@Suite("HelpSpace subtask writes under one task")
struct HelpSpaceSubtaskTests {
    /// Sends through curl; holds the answer to the first direct read of
    /// `path` until a second read of it has been answered too, or until
    /// `passOn` says the other writer is queued behind the first. Without
    /// that, when the two writers' reads overlap is a matter of timing;
    /// with it, they overlap whenever the adapter lets them.
    final class OverlappingReads: HTTPTransport, @unchecked Sendable {
        let inner = CurlTransport()
        let path: String
        let passOn: @Sendable () -> Bool
        private let lock = NSLock()
        private var reads = 0
        private var answered = 0
        private var sent: [String] = []
        /// The methods of the requests on `path`, in the order they were sent.
        var methods: [String] { lock.withLock { sent } }

        init(path: String, passOn: @escaping @Sendable () -> Bool) {
            self.path = path
            self.passOn = passOn
        }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            let onPath = request.url.split(separator: "?").first.map(String.init)?.hasSuffix(path) == true
            let isRead = onPath && request.method == "GET"
            let n = lock.withLock {
                if onPath { sent.append(request.method) }
                if isRead { reads += 1 }
                return reads
            }
            let response = try await inner.send(request)
            guard isRead else { return response }
            lock.withLock { answered += 1 }
            if n == 1 {
                // Each turn gives the other writer's task the thread: it ends on
                // what that writer does next (its read, or its wait), not on time.
                while lock.withLock({ answered }) < 2 && !passOn() { await Task.yield() }
            }
            return response
        }
    }

    /// The adapter over an ``OverlappingReads`` on `parent`, which passes on
    /// once a second write under `parent` waits for its turn (``SerialByKey``).
    func provider(_ url: String, _ fake: FakeHelpSpace, parent: Int64) -> (HelpSpaceProvider, OverlappingReads) {
        let turns = Box<SerialByKey>()
        let transport = OverlappingReads(path: "/api/v1/scrum/tasks/\(parent)", passOn: { turns.value?.waiting(String(parent)) ?? 0 > 0 })
        let p = HelpSpaceProvider(name: "hs", settings: .init(baseURL: url, token: fake.token, clientID: fake.clientID, boardID: 1), transport: transport)
        turns.value = p.subtaskWrites
        return (p, transport)
    }

    final class Box<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: T?
        var value: T? {
            get { lock.withLock { stored } }
            set { lock.withLock { stored = newValue } }
        }
    }

    @Test(
        "two subtasks created under one task at once both stay, whether the PATCH's sub_tasks replaces the list or merges into it",
        arguments: [FakeHelpSpace.Options.SubTasks.replace, .merge])
    func twoCreatesUnderOneTask(_ subTasks: FakeHelpSpace.Options.SubTasks) async throws {
        let fake = FakeHelpSpace(options: .init(subTasks: subTasks))
        let url = try await fake.start()
        defer { Task { await fake.stop() } }
        let parent = await fake.seed(title: "Parent", subtasks: ["Old"])
        let (p, transport) = provider(url, fake, parent: parent)
        let ref = RemoteRef(String(parent))
        async let a = p.createSubtask(parent: ref, SubtaskFields(title: "PR sub 62", done: false))
        async let b = p.createSubtask(parent: ref, SubtaskFields(title: "PR sub 86", done: false))
        let made = try await [a, b]
        let kept = await fake.tasks[parent]?.subtasks ?? []
        #expect(kept.map(\.title).sorted() == ["Old", "PR sub 62", "PR sub 86"])
        #expect(transport.methods == ["GET", "PATCH", "GET", "PATCH"], "each write reads the list after the other's PATCH")
        #expect(Set(made.map(\.id)).isSubset(of: Set(kept.map { String($0.id) })), "each answer's id is a subtask HelpSpace holds")
    }

    @Test("a subtask renamed while another is created under the same task: both changes stay")
    func updateBesideCreate() async throws {
        let fake = FakeHelpSpace()
        let url = try await fake.start()
        defer { Task { await fake.stop() } }
        let parent = await fake.seed(title: "Parent", subtasks: ["Old"])
        let old = try #require(await fake.tasks[parent]?.subtasks.first).id
        let (p, transport) = provider(url, fake, parent: parent)
        let ref = RemoteRef(String(parent))
        async let a = p.updateSubtask(parent: ref, RemoteRef(String(old)), SubtaskFields(title: "Old renamed", done: true))
        async let b = p.createSubtask(parent: ref, SubtaskFields(title: "New", done: false))
        _ = try await (a, b)
        let kept = await fake.tasks[parent]?.subtasks ?? []
        #expect(kept.map(\.title).sorted() == ["New", "Old renamed"])
        #expect(transport.methods == ["GET", "PATCH", "GET", "PATCH"], "each write reads the list after the other's PATCH")
        #expect(kept.first { $0.id == old }?.doneAt != nil)
    }
}

@Suite("SerialByKey")
struct SerialByKeyTests {
    struct Refused: Error {}

    @Test("work that throws gives the key back: the next one under it runs, and nobody is left waiting")
    func throwingReleases() async throws {
        let serial = SerialByKey()
        do {
            try await serial.run("a") { throw Refused() }
            Issue.record("the work's error went missing")
        } catch is Refused {}
        #expect(await serial.run("a") { 1 } == 1)
        #expect(await serial.run("b") { 2 } == 2)
        #expect(serial.waiting("a") == 0)
    }
}
