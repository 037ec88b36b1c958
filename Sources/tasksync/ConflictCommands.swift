import ArgumentParser
import Foundation
import Mirror
import SyncConfig
import SyncEngine
import TaskModel

/// `tasksync conflicts`: the list (the default), `show ID` and `restore ID`.
struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the conflicts (the same field changed on two members): who won, and the value that lost; show one; restore a loser.",
        discussion: """
            A conflict is recorded when the same field of a task changed on two members \
            since they last agreed: the member whose task was updated last wins, and the \
            losing value is kept here. `tasksync conflicts` lists them (the newest 200), \
            `tasksync conflicts show ID` shows one in full, and `tasksync conflicts restore \
            ID` puts its losing value back as a new edit that the next cycle writes to \
            every member.
            """,
        subcommands: [ListConflicts.self, ShowConflict.self, RestoreConflict.self],
        defaultSubcommand: ListConflicts.self)
}

/// A conflict's fields as `--json` gives them (snake_case keys, values as JSON values).
struct ConflictJSON: Encodable {
    var id: Int64
    var cycleID: Int64?
    var at, link: String
    var entityID: Int64
    var field, winnerProvider, loserProvider: String
    var winnerValue, loserValue: FieldValue?
    /// `none`, `requested`, `restored` or `refused`.
    var restoreState: String
    var restoreRequestedAt, restoredAt: String?
    var restoredCycle: Int64?
    var restoreRefused: String?

    init(_ c: ConflictRecord) {
        id = c.id
        cycleID = c.cycleID
        at = c.at
        link = c.link
        entityID = c.entityID
        field = c.field
        winnerProvider = c.winnerProvider
        loserProvider = c.loserProvider
        winnerValue = ConflictRestore.value(json: c.winnerJSON, printed: c.winnerValue)
        loserValue = ConflictRestore.value(json: c.loserJSON, printed: c.loserValue)
        restoreState = c.restoreState
        restoreRequestedAt = c.restoreRequestedAt
        restoredAt = c.restoredAt
        restoredCycle = c.restoredCycle
        restoreRefused = c.restoreRefused
    }
}

/// Where a conflict's restore stands, in words.
func restoreLine(_ c: ConflictRecord) -> String {
    switch c.restoreState {
    case "restored": "restored at \(c.restoredAt ?? "?")\(c.restoredCycle.map { " in cycle \($0)" } ?? ""): its losing value was written to every member"
    case "refused": "restore refused: \(c.restoreRefused ?? "")"
    case "requested": "restore asked at \(c.restoreRequestedAt ?? "?"): the link's next cycle does it"
    default: "not restored (tasksync conflicts restore \(c.id) puts \(c.loserProvider)'s value back)"
    }
}

struct ListConflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the conflicts (the newest 200, oldest first): the field, who won, the value that lost, and whether it was restored.")
    @OptionGroup var options: MirrorOptions

    func run() throws {
        let rows = try options.open().conflicts()
        if options.json { return printJSON(rows.map(ConflictJSON.init)) }
        if rows.isEmpty { print("no conflicts") }
        for c in rows {
            let restore =
                switch c.restoreState {
                case "restored": " [restored in cycle \(c.restoredCycle.map(String.init) ?? "?")]"
                case "requested": " [restore asked]"
                case "refused": " [restore refused]"
                default: ""
                }
            print(
                "\(c.id): \(c.at) #\(c.entityID) [\(c.link)] \(c.field): \(c.winnerProvider) won with \(c.winnerValue ?? ""); \(c.loserProvider) lost \(c.loserValue ?? "")\(restore)"
            )
        }
    }
}

/// Finds a conflict by id, or exits 64 naming the ids there are.
private func findConflict(_ id: Int64, in mirror: Mirror) throws -> ConflictRecord {
    if let c = try mirror.conflict(id: id) { return c }
    let range = try mirror.conflictIDRange()
    printError(
        "no conflict \(id) in mirror \(mirror.path)"
            + (range.map { "; its conflicts are numbered \($0.lowerBound) to \($0.upperBound) (tasksync conflicts lists them)" } ?? ": it has none"))
    throw ExitCode(ExitStatus.usage)
}

struct ShowConflict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract:
            "Show one conflict in full: the task and its copies, the field, the winner's and the loser's member and value, when, which cycle, the value now, and its restore.",
        discussion: """
            ID is the number `tasksync conflicts` prints first on each line. Exit status: 0 \
            shown; 64 the mirror has no conflict with that id (the message says which ids it \
            has); 74 the mirror cannot be opened; 78 the config is invalid.
            """)
    @OptionGroup var options: MirrorOptions
    @Argument(help: "The conflict's id (the first number of each line of `tasksync conflicts`).") var id: Int64

    struct Shown: Encodable {
        var conflict: ConflictJSON
        var entityKind: String?
        var entityState: String?
        var title: String?
        /// The field as the mirror holds it now (null when the task is gone from the mirror).
        var currentValue: FieldValue?
        /// The task's copies: provider -> remote id.
        var remotes: [String: String]

        func encode(to encoder: any Encoder) throws {
            try conflict.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(entityKind, forKey: .entityKind)
            try c.encode(entityState, forKey: .entityState)
            try c.encode(title, forKey: .title)
            try c.encode(currentValue, forKey: .currentValue)
            try c.encode(remotes, forKey: .remotes)
        }
        enum Keys: String, CodingKey { case entityKind, entityState, title, currentValue, remotes }
    }

    func run() throws {
        let mirror = try options.open()
        let c = try findConflict(id, in: mirror)
        let entity = try mirror.entity(id: c.entityID)
        let now = entity.flatMap { ConflictRestore.currentValue(c, entity: $0) }
        let remotes = try mirror.remoteIDs(entity: c.entityID)
        let title = entity.map { Mirror.title(ofCanonical: $0.canonical) }
        if options.json {
            return printJSON(
                Shown(
                    conflict: ConflictJSON(c), entityKind: entity?.kind.rawValue, entityState: entity?.state.rawValue, title: title,
                    currentValue: now, remotes: remotes))
        }
        let winner = ConflictRestore.value(json: c.winnerJSON, printed: c.winnerValue)
        print("conflict \(c.id): cycle \(c.cycleID.map(String.init) ?? "-"), at \(c.at)")
        print("  link:    \(c.link)")
        if let entity {
            let state = entity.state == .active ? "" : " (\(entity.state.rawValue))"
            print("  \(entity.kind.rawValue == "subtask" ? "subtask" : "task"):    #\(entity.id) \"\(title ?? "")\"\(state)")
        } else {
            print("  task:    #\(c.entityID) (no longer in the mirror)")
        }
        if !remotes.isEmpty { print("  copies:  \(remotes.sorted { $0.key < $1.key }.map { "\($0.key) #\($0.value)" }.joined(separator: ", "))") }
        print("  field:   \(c.field)")
        print("  winner:  \(c.winnerProvider) \(c.winnerValue ?? "(none)")")
        print("  loser:   \(c.loserProvider) \(c.loserValue ?? "(none)")")
        if let now {
            let loser = ConflictRestore.value(json: c.loserJSON, printed: c.loserValue)
            let whose =
                now == winner
                ? "the winner's value"
                : now == loser ? (c.restoredAt == nil ? "the loser's value" : "the loser's value, restored") : "changed since the conflict"
            print("  now:     \(now) (\(whose))")
        }
        print("  restore: \(restoreLine(c))")
    }
}

struct RestoreConflict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a conflict's losing value back: the link's next cycle writes it to every member, as a new edit.",
        discussion: """
            The losing value becomes the task's value again in the mirror at the start of \
            the link's next cycle (the service's, or the next `tasksync sync`), which then \
            writes it to every member that holds another value, like any edit; the journal \
            records the restore (kind `restore`) and each write. The conflict is marked \
            restored (`tasksync conflicts show ID` says when, and in which cycle) and is \
            never restored twice. An edit of that field made on a member after the restore \
            was asked, and read in the same cycle, is newer and wins over it.

            Refused (exit 65), with the reason, when: the conflict was already restored, or \
            its restore already asked or refused; the task is gone (deleted or archived); or \
            the field no longer holds the winner's value (it changed again since the \
            conflict: putting the old loser back would overwrite a newer edit; edit the task \
            on a provider instead). The next cycle checks again, and marks the restore \
            refused, with why, if the field changed in between.

            It writes only the request, in one small transaction, so it works while the \
            service runs: no need to stop it. A paused link does it after `tasksync resume`.

            Exit status: 0 asked; 64 the mirror has no conflict with that id; 65 refused \
            (above); 74 the mirror cannot be opened; 78 the config is invalid.
            """)
    @OptionGroup var options: MirrorOptions
    @Argument(help: "The conflict's id (the first number of each line of `tasksync conflicts`).") var id: Int64

    func run() throws {
        let path = try options.existingPath()
        let view = try options.open()
        let c = try findConflict(id, in: view)
        if c.restoredAt == nil, c.restoreRefused == nil, let at = c.restoreRequestedAt {
            try refuse(c, ConflictRestore.Refusal.alreadyRequested(at: at))
        }
        if case .failure(let why) = ConflictRestore.restored(c, entity: try view.entity(id: c.entityID)) { try refuse(c, why) }
        let at = Timestamp.now.description
        let (asked, holder) = try writeRequest(mirrorPath: path) { try $0.requestRestore(conflict: c.id, at: at) }
        guard asked else { try refuse(c, ConflictRestore.Refusal.alreadyRequested(at: "the same moment, by another command")) }
        let paused = try view.linkStates().first { $0.link == c.link && $0.pausedAt != nil }
        if options.json {
            /// The conflict's fields (as `show --json`), then who does the restore.
            struct Asked: Encodable {
                var conflict: ConflictJSON
                var doneBy: String
                var linkPaused: Bool
                enum Keys: String, CodingKey { case doneBy, linkPaused }
                func encode(to encoder: any Encoder) throws {
                    try conflict.encode(to: encoder)
                    var c = encoder.container(keyedBy: Keys.self)
                    try c.encode(doneBy, forKey: .doneBy)
                    try c.encode(linkPaused, forKey: .linkPaused)
                }
            }
            var shown = c
            shown.restoreRequestedAt = at
            return printJSON(
                Asked(
                    conflict: ConflictJSON(shown), doneBy: carriedOutBy(holder).trimmingCharacters(in: CharacterSet(charactersIn: ",")),
                    linkPaused: paused != nil))
        }
        print(
            "conflict \(c.id): restore asked: \(carriedOutBy(holder)) makes #\(c.entityID) \(c.field) \(c.loserValue ?? "(none)") again "
                + "(\(c.loserProvider)'s value) and writes it to every member that holds another; tasksync conflicts show \(c.id) says when it is done")
        if paused != nil { print("link \(c.link) is paused: the restore waits for tasksync resume --link \(c.link)") }
    }

    private func refuse(_ c: ConflictRecord, _ why: ConflictRestore.Refusal) throws -> Never {
        printError("conflict \(c.id) (#\(c.entityID) \(c.field)) not restored: \(why)")
        throw ExitCode(ExitStatus.refused)
    }
}
