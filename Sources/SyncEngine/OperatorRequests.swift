import Logging
import Mirror
import ProviderKit

/// A resync of one link in this cycle (`tasksync resync`): its state is
/// rebuilt from what the members hold now (see
/// ``LinkMirrorState/forgetWhatWasRead()``), and tasks the mirror does not
/// know are paired by title as on a first link.
struct Resync: Sendable {
    /// When `tasksync resync` asked for it; nil for a dry run's preview.
    var requestedAt: String?

    var note: String {
        "resync\(requestedAt.map { " (asked at \($0))" } ?? ""): every member listed in full and every task merged again; "
            + "tasks already paired keep their partners, the others are paired by title as on a first link"
    }

    /// At the end of the cycle, in its last transaction: once every member
    /// was read and nothing stopped the cycle, the request is done (cleared,
    /// and journaled with what the cycle did); otherwise it stays, and the
    /// next cycle of the link does it again.
    func finish(link: String, cycle: Int64, plan: LinkPlan, snapshots: [MemberSnapshot], interrupted: Bool, w: MirrorWriter) throws {
        let unread = snapshots.filter { $0.failure != nil }.map(\.name)
        guard unread.isEmpty, !interrupted else {
            let why = interrupted ? "the cycle was interrupted" : "\(unread.joined(separator: ", ")) could not be read"
            try w.journal(
                cycle: cycle, link: link, provider: nil, entity: nil, kind: "resync", detail: "not finished: \(why); the next cycle of the link does it again")
            return
        }
        if let requestedAt { try w.clearResync(link: link, requestedAt: requestedAt) }
        func count(_ action: PlanItem.Action) -> Int { plan.items.filter { $0.action == action }.count }
        let listed = snapshots.map { "\($0.name) \($0.listedCount) tasks" }.joined(separator: ", ")
        try w.journal(
            cycle: cycle, link: link, provider: nil, entity: nil, kind: "resync",
            detail: "rebuilt from the providers\(requestedAt.map { " (asked at \($0))" } ?? ""): listed in full: \(listed); "
                + "\(count(.pair)) paired, \(count(.adopt)) adopted, \(count(.create)) created, \(count(.update)) updated")
    }
}

/// The restores a cycle of one link carries out (or, in a dry run, would):
/// new canonical values by entity, and a plan note for each.
struct RestoreBatch: Sendable {
    var canonicals: [Int64: String] = [:]
    var notes: [String] = []

    /// Puts the restored values into a state loaded from the mirror (a dry
    /// run's, which did not write them); a real cycle wrote them before the load.
    func apply(to state: inout LinkMirrorState) {
        for (id, canonical) in canonicals where state.entities[id] != nil {
            state.entities[id]!.canonical = canonical
            state.entities[id]!.canonicalDigest = Codec.digest(canonical)
        }
    }
}

extension SyncEngine {
    /// Carries out the link's restores asked by `tasksync conflicts restore`,
    /// in one transaction before the cycle loads the link: each losing value
    /// becomes its task's canonical value (a new edit this cycle writes to
    /// every member that holds another), the conflict is marked restored, and
    /// the journal says so; one that can no longer be done is marked refused,
    /// with why.
    func applyRestores(_ link: String, cycle: Int64) throws -> RestoreBatch {
        try mirror.write { w in
            var batch = RestoreBatch()
            for c in try w.pendingRestores(link: link) {
                switch ConflictRestore.restored(c, entity: try w.entity(id: c.entityID)) {
                case .success(let canonical):
                    try w.updateEntity(c.entityID, canonical: canonical, cycle: cycle)
                    try w.markRestored(conflict: c.id, cycle: cycle)
                    try w.journal(
                        cycle: cycle, link: link, provider: c.loserProvider, entity: c.entityID, kind: "restore", field: c.field,
                        old: c.winnerValue, new: c.loserValue,
                        detail: "conflict \(c.id): \(c.loserProvider)'s value put back (tasksync conflicts restore)")
                    logger.notice(
                        "conflict \(c.id) restored: \(c.field) back to \(c.loserValue ?? "")",
                        metadata: ["link": "\(link)", "entity": "\(c.entityID)", "provider": "\(c.loserProvider)"])
                    batch.notes.append(Self.restoredNote(c))
                case .failure(let why):
                    try w.refuseRestore(conflict: c.id, reason: why.description)
                    try w.journal(
                        cycle: cycle, link: link, provider: c.loserProvider, entity: c.entityID, kind: "restore-refused", field: c.field,
                        detail: "conflict \(c.id): \(why)")
                    batch.notes.append("conflict \(c.id) not restored: \(why)")
                }
            }
            return batch
        }
    }

    /// What ``applyRestores(_:cycle:)`` would do, without writing: for a dry run.
    func previewRestores(_ link: String) throws -> RestoreBatch {
        var batch = RestoreBatch()
        for c in try mirror.pendingRestores(link: link) {
            switch ConflictRestore.restored(c, entity: try mirror.entity(id: c.entityID)) {
            case .success(let canonical):
                batch.canonicals[c.entityID] = canonical
                batch.notes.append(Self.restoredNote(c))
            case .failure(let why):
                batch.notes.append("conflict \(c.id) would not be restored: \(why)")
            }
        }
        return batch
    }

    static func restoredNote(_ c: ConflictRecord) -> String {
        "conflict \(c.id) restored: #\(c.entityID) \(c.field) back to \(c.loserValue ?? "(none)") (\(c.loserProvider)'s value, "
            + "which lost to \(c.winnerProvider)'s \(c.winnerValue ?? "(none)")); written to every member that holds another"
    }
}
