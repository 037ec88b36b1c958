import Foundation
import ProviderFakes
import ProviderKit
import Testing

/// One provider kind under the contract suite: how to start its fake, seed
/// it, fault it, and write its `[[provider]]` table. A new adapter is done
/// when ``ContractTests`` pass with its subject in ``all``.
///
/// The adapter is always built the way the daemon builds it: from the
/// config text, through `ProviderCatalog` and the kind's descriptor.
struct ContractSubject: Sendable, CustomTestStringConvertible {
    var kind: String
    /// Two status ids the fake knows, for the round trip and the link's `[[link.status]]`.
    var statusIDs: [String]
    /// Tasks to seed so that a listing takes more than one page with ``pagingTOML``.
    var pagedCount: Int
    /// Extra keys of the `[[provider]]` table that make pages small, if the kind allows it.
    var pagingTOML: String
    var start: @Sendable () async throws -> ContractFake
    /// Whether its listing is paged (ActiveCollab's legacy list is one answer).
    var pages = true

    var testDescription: String { kind }

    static let all: [ContractSubject] = [.helpspace, .productive, .proofhub, .growcrm, .activecollab]
}

/// A running fake, as the suite drives it.
struct ContractFake: Sendable {
    var url: String
    var token: String
    /// The `[[provider]]` keys beyond name, kind, base_url and token_file.
    var providerTOML: String
    /// Seeds a task as a person would in the provider's UI; returns its remote key.
    var seed: @Sendable (_ title: String) async -> String
    /// Adds a comment to a task as a person would, where the fake can.
    var seedComment: (@Sendable (_ taskKey: String, _ text: String) async -> Void)?
    /// Sets, as a person would, fields tasksync does not sync (an assignee,
    /// watchers, a start date), and reads them back as one text: an update
    /// through the adapter must leave them as they are.
    var setForeign: @Sendable (_ taskKey: String) async -> Void
    var foreign: @Sendable (_ taskKey: String) async -> String
    /// Serves `fault` for the next request of `method` (nil: any).
    var inject: @Sendable (_ fault: Fault, _ method: String?) async -> Void
    /// Requests served so far.
    var ledger: @Sendable () async -> RequestLedger
    var stop: @Sendable () async -> Void
}

extension ContractSubject {
    static let helpspace = ContractSubject(
        kind: "helpspace", statusIDs: ["1", "2"], pagedCount: 7, pagingTOML: "per_page = 3",
        start: {
            let fake = FakeHelpSpace()
            let url = try await fake.start()
            return ContractFake(
                url: url, token: fake.token, providerTOML: "board_id = 1\nclient_id = \"hs-client\"",
                seed: { title in String(await fake.seed(title: title)) },
                seedComment: { key, text in await fake.addComment(Int64(key)!, text: text, author: "Ann") },
                setForeign: { key in
                    await fake.edit(Int64(key)!) {
                        $0.assigneeID = 7
                        $0.watcherIDs = [8, 9]
                        $0.customerID = 11
                    }
                },
                foreign: { key in
                    let t = await fake.liveTasks().first { String($0.id) == key }
                    return "\(t?.assigneeID ?? 0) \(t?.watcherIDs ?? []) \(t?.customerID ?? 0)"
                },
                inject: { fault, method in await fake.inject(fault, method: method) },
                ledger: { await fake.ledger }, stop: { await fake.stop() })
        })

    static let productive = ContractSubject(
        kind: "productive", statusIDs: ["2545", "2546"], pagedCount: 7, pagingTOML: "page_size = 3",
        start: {
            let fake = FakeProductive()
            let url = try await fake.start()
            return ContractFake(
                url: url, token: fake.token,
                providerTOML: """
                    organization_id = "1987"
                    project_id = "1911"
                    task_list_id = "361"
                    closed_status_id = "2547"
                    open_status_id = "2545"
                    rate_limit = "none"
                    """,
                seed: { title in String(await fake.seed(title: title)) }, seedComment: nil,
                setForeign: { key in
                    await fake.edit(Int(key)!) {
                        $0.assigneeID = "77"
                        $0.subscriberIDs = ["78"]
                        $0.startDate = "2026-01-05"
                        $0.initialEstimate = 90
                    }
                },
                foreign: { key in
                    let t = await fake.liveTasks().first { String($0.id) == key }
                    return "\(t?.assigneeID ?? "") \(t?.subscriberIDs ?? []) \(t?.startDate ?? "") \(t?.initialEstimate ?? 0)"
                },
                inject: { fault, method in await fake.inject(fault, method: method) },
                ledger: { await fake.ledger }, stop: { await fake.stop() })
        })

    /// ProofHub: ids above 2^53 (the fake's default first id), the stages of
    /// the document's "Basic workflow" as status ids. No page-size key: pages
    /// are the API's 100, so the paged listing seeds 150 tasks.
    static let proofhub = ContractSubject(
        kind: "proofhub", statusIDs: ["6074498296", "6074498297"], pagedCount: 150, pagingTOML: "",
        start: {
            let fake = FakeProofHub()
            let url = try await fake.start()
            return ContractFake(
                url: url, token: fake.token,
                providerTOML: """
                    project_id = "\(fake.projectID)"
                    todolist_id = "\(fake.todolistID)"
                    user_agent = "tasksync-contract (ops@example.com)"
                    rate_limit = "none"
                    """,
                seed: { title in String(await fake.seedTask(title: title)) },
                seedComment: { key, text in await fake.seedComment(Int64(key)!, text: text) },
                setForeign: { key in
                    await fake.edit(Int64(key)!) {
                        $0.assigned = [fake.colleagueID]
                        $0.startDate = "2026-01-05"
                        $0.estimatedHours = 3
                        $0.estimatedMins = 30
                    }
                },
                foreign: { key in
                    let t = await fake.task(Int64(key)!)
                    return "\(t?.assigned ?? []) \(t?.startDate ?? "") \(t?.estimatedHours ?? 0) \(t?.estimatedMins ?? 0)"
                },
                inject: { fault, method in await fake.inject(fault, method: method) },
                ledger: { await fake.ledger }, stop: { await fake.stop() })
        })

    static let growcrm = ContractSubject(
        kind: "growcrm", statusIDs: ["1", "3"], pagedCount: 205, pagingTOML: "",
        start: {
            let fake = FakeGrowCRM()
            let url = try await fake.start()
            return ContractFake(
                url: url, token: fake.token,
                providerTOML: """
                    project_id = "7"
                    new_task_status_id = "1"
                    priority_ids = "low=4, very low=4, medium=1, high=2, very high=3"
                    """,
                seed: { title in String(await fake.seedTask(title: title)) },
                seedComment: { key, text in await fake.seedComment(Int64(key)!, text: text) },
                setForeign: { key in
                    await fake.edit(Int64(key)!) {
                        $0.assigned = [53]
                        $0.startDate = "2026-01-05"
                        $0.billable = true
                        $0.clientVisible = true
                        $0.milestoneID = 22
                    }
                },
                foreign: { key in
                    let t = await fake.task(Int64(key)!)
                    return "\(t?.assigned ?? []) \(t?.startDate ?? "") \(t?.billable ?? false) \(t?.clientVisible ?? false) \(t?.milestoneID ?? 0)"
                },
                inject: { fault, method in await fake.inject(fault, method: method) },
                ledger: { await fake.ledger }, stop: { await fake.stop() })
        })

    static let activecollab = ContractSubject(
        kind: "activecollab", statusIDs: ["51", "52"], pagedCount: 7, pagingTOML: "",
        start: {
            let fake = FakeActiveCollab()
            let url = try await fake.start()
            /// The remote key of a task: its global id and its task_id.
            @Sendable func key(_ id: Int64) async -> String { "\(id)/\(await fake.task(id: id)?.taskID ?? 0)" }
            @Sendable func id(_ key: String) -> Int64 { Int64(key.split(separator: "/")[0])! }
            return ContractFake(
                url: url, token: fake.token, providerTOML: "project_id = \"70\"",
                seed: { title in await key(await fake.seedTask(title)) },
                seedComment: { key, text in await fake.seedComment(id(key), body: text) },
                setForeign: { key in
                    await fake.edit(id(key)) {
                        $0.assigneeID = 2
                        $0.otherAssignees = [3]
                        $0.visibility = 0
                        $0.categoryID = 41
                        $0.milestoneID = 31
                    }
                },
                foreign: { key in
                    let t = await fake.task(id: id(key))
                    return "\(t?.assigneeID ?? 0) \(t?.otherAssignees ?? []) \(t?.visibility ?? -1) \(t?.categoryID ?? 0) \(t?.milestoneID ?? 0)"
                },
                inject: { fault, method in await fake.inject(fault, method: method) },
                ledger: { await fake.ledger }, stop: { await fake.stop() })
        }, pages: false)
}
