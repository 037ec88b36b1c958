import TaskModel

public enum EntityKind: String, Sendable, Codable {
    case task, subtask, comment
}

public enum EntityState: String, Sendable, Codable {
    case active, deleted, archived
}

/// One task, subtask or comment as the mirror knows it.
public struct EntityRecord: Sendable, Equatable {
    public var id: Int64
    public var link: String
    public var kind: EntityKind
    public var parentID: Int64?
    /// JSON of the canonical fields (``TaskFields``, ``SubtaskFields`` or
    /// ``CommentFields``); empty until loaded (see ``Mirror/loadTexts(into:entities:)``).
    public var canonical: String
    /// ``Digest/of(_:)`` of `canonical`, always loaded.
    public var canonicalDigest: Int64
    public var state: EntityState

    public init(id: Int64, link: String, kind: EntityKind, parentID: Int64?, canonical: String, canonicalDigest: Int64, state: EntityState) {
        self.id = id
        self.link = link
        self.kind = kind
        self.parentID = parentID
        self.canonical = canonical
        self.canonicalDigest = canonicalDigest
        self.state = state
    }
}

/// entity <-> (provider, remote id), with the shadow.
public struct MappingRecord: Sendable, Equatable {
    public var entityID: Int64
    public var provider: String
    public var remoteID: String
    public var parentRemoteID: String?
    /// JSON of the last agreed state of the remote item, in canonical form;
    /// empty until loaded (see ``Mirror/loadTexts(into:entities:)``).
    public var shadow: String
    /// JSON object: field -> the value last written that this copy did not
    /// keep (rule 13); nil when every write stuck.
    public var stuck: String?
    // The three optional integers below, packed: as `Int64?` each would take
    // 16 bytes, and a link of 100,000 tasks holds 200,000 of these records.
    private var updatedAtValue: Int64 = 0
    private var shadowDigestValue: Int64 = 0
    private var syncedValue: Int64 = 0
    private var present: UInt8 = 0

    /// The remote `updated_at` when last read or written, ms since 1970 (UTC).
    public var remoteUpdatedAt: Int64? {
        get { get(1, updatedAtValue) }
        set {
            updatedAtValue = newValue ?? 0
            mark(1, newValue != nil)
        }
    }
    /// Digest of the shadow's fields.
    public var shadowDigest: Int64? {
        get { get(2, shadowDigestValue) }
        set {
            shadowDigestValue = newValue ?? 0
            mark(2, newValue != nil)
        }
    }
    /// Digest of the canonical value this copy was last confirmed to hold.
    public var synced: Int64? {
        get { get(4, syncedValue) }
        set {
            syncedValue = newValue ?? 0
            mark(4, newValue != nil)
        }
    }

    private func get(_ bit: UInt8, _ value: Int64) -> Int64? { present & bit == 0 ? nil : value }

    /// A nil is stored as 0 beside its cleared bit, so that equal records compare equal.
    private mutating func mark(_ bit: UInt8, _ isPresent: Bool) {
        present = isPresent ? present | bit : present & ~bit
    }

    public init(
        entityID: Int64, provider: String, remoteID: String, parentRemoteID: String?, shadow: String,
        remoteUpdatedAt: Int64?, shadowDigest: Int64? = nil, synced: Int64? = nil, stuck: String? = nil
    ) {
        self.stuck = stuck
        self.entityID = entityID
        self.provider = provider
        self.remoteID = remoteID
        self.parentRemoteID = parentRemoteID
        self.shadow = shadow
        self.remoteUpdatedAt = remoteUpdatedAt
        self.shadowDigest = shadowDigest
        self.synced = synced
    }
}

public struct OutboxRecord: Sendable, Equatable {
    public var id: Int64
    public var link: String
    public var provider: String
    public var entityID: Int64
    public var operation: String
    public var payload: String
    public var state: String
    /// When the row was recorded (local clock).
    public var createdAt: String?
    /// Set when the write was sent (or was next to be sent): only such a
    /// row can have an unknown outcome.
    public var sentAt: String?

    public init(
        id: Int64, link: String, provider: String, entityID: Int64, operation: String, payload: String, state: String,
        createdAt: String? = nil, sentAt: String? = nil
    ) {
        self.sentAt = sentAt
        self.id = id
        self.link = link
        self.provider = provider
        self.entityID = entityID
        self.operation = operation
        self.payload = payload
        self.state = state
        self.createdAt = createdAt
    }
}

public struct JournalEntry: Sendable, Equatable, Codable {
    public var id: Int64
    public var cycleID: Int64?
    public var at: String
    public var link: String?
    public var provider: String?
    public var entityID: Int64?
    public var kind: String
    public var field: String?
    public var oldValue: String?
    public var newValue: String?
    public var detail: String?
}

public struct ConflictRecord: Sendable, Equatable, Codable {
    public var id: Int64
    public var cycleID: Int64?
    public var at: String
    public var link: String
    public var entityID: Int64
    public var field: String
    public var winnerProvider: String
    public var winnerValue: String?
    public var loserProvider: String
    public var loserValue: String?
    /// The values as JSON (``FieldValue``); nil in conflicts recorded before migration 0006.
    public var winnerJSON: String? = nil
    public var loserJSON: String? = nil
    /// `tasksync conflicts restore`: when it was asked; when the next cycle
    /// did it (and which cycle), or why that cycle refused it.
    public var restoreRequestedAt: String? = nil
    public var restoredAt: String? = nil
    public var restoredCycle: Int64? = nil
    public var restoreRefused: String? = nil

    /// Where its restore stands: `none`, `requested`, `restored` or `refused`.
    public var restoreState: String {
        if restoredAt != nil { return "restored" }
        if restoreRefused != nil { return "refused" }
        return restoreRequestedAt == nil ? "none" : "requested"
    }
}

public struct ProviderStateRecord: Sendable, Equatable, Codable {
    public var provider: String
    public var cursor: String?
    public var lastFullListingAt: String?
    public var lastCycleID: Int64?
    public var lastSuccessAt: String?
    public var lastError: String?
    public var lastErrorAt: String?
    public var backoffUntil: String?
    public var taskCount: Int?

    public init(provider: String) { self.provider = provider }
}

public struct LinkStateRecord: Sendable, Equatable, Codable {
    public var link: String
    public var lastCycleID: Int64?
    public var lastOutcome: String?
    public var stoppedReason: String?
    /// Set by `tasksync pause`, cleared by `tasksync resume`: while set, the
    /// link is skipped. ``MirrorWriter/putLinkState(_:)`` leaves both as they are.
    public var pausedAt: String?
    public var pausedReason: String?
    /// When a cycle last ended ok for this link: every member read, every write landed.
    public var lastSuccessAt: String? = nil
    /// The last cycle's errors (the first, and how many more) or stop
    /// reason, until a cycle ends ok.
    public var lastError: String? = nil
    public var lastErrorAt: String? = nil
    /// Set by `tasksync resync`, cleared by the cycle that did it (see
    /// ``LinkMirrorState/forgetWhatWasRead()``). ``MirrorWriter/putLinkState(_:)`` leaves it as it is.
    public var resyncRequestedAt: String? = nil

    public init(
        link: String, lastCycleID: Int64?, lastOutcome: String?, stoppedReason: String?, pausedAt: String? = nil, pausedReason: String? = nil
    ) {
        self.link = link
        self.lastCycleID = lastCycleID
        self.lastOutcome = lastOutcome
        self.stoppedReason = stoppedReason
        self.pausedAt = pausedAt
        self.pausedReason = pausedReason
    }
}

/// All the mirror holds about one link, read at the start of a cycle.
public struct LinkMirrorState: Sendable {
    public var entities: EntityTable
    /// provider -> remote id -> entity id.
    public var remoteIndex: [String: [String: Int64]]
    /// entity id -> provider -> mapping: each mapping is held here only.
    public var mappingsByEntity: [Int64: EntityMappings]
    public var pendingOutbox: [OutboxRecord]
    public var providerStates: [String: ProviderStateRecord]

    /// The mapping of a provider's remote item, if it has one.
    public func mapping(provider: String, remoteID: String) -> MappingRecord? {
        guard let entity = remoteIndex[provider]?[remoteID] else { return nil }
        return mappingsByEntity[entity]?[provider]
    }

    /// `tasksync resync`: forgets, for one cycle, what the mirror remembers of
    /// the last reads, and keeps what it knows: which copies belong together
    /// (the mappings), the last agreed value of each copy (its shadow, what a
    /// three-way merge needs to lose no edit), each item's canonical value
    /// and state, and the outbox. With no cursor and no last full listing,
    /// every member is listed in full; with no digests, no item passes as
    /// untouched, so every one is merged and its shadow rebuilt from what was
    /// read; with no remote `updated_at`, every task's comments are read.
    public mutating func forgetWhatWasRead() {
        for (id, maps) in mappingsByEntity {
            var rebuilt = EntityMappings()
            for var m in maps.records {
                m.synced = nil
                m.shadowDigest = nil
                m.remoteUpdatedAt = nil
                rebuilt[m.provider] = m
            }
            mappingsByEntity[id] = rebuilt
        }
        for (name, var s) in providerStates {
            s.cursor = nil
            s.lastFullListingAt = nil
            providerStates[name] = s
        }
    }
}

/// One entity's mappings, by provider: a handful at most, so a small array
/// searched by name rather than a dictionary each.
public struct EntityMappings: Sendable, ExpressibleByDictionaryLiteral {
    public private(set) var records: [MappingRecord] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, MappingRecord)...) {
        for (provider, record) in elements { self[provider] = record }
    }

    public subscript(_ provider: String) -> MappingRecord? {
        get { records.first { $0.provider == provider } }
        set {
            let index = records.firstIndex { $0.provider == provider }
            switch (index, newValue) {
            case (let i?, let value?): records[i] = value
            case (let i?, nil): records.remove(at: i)
            case (nil, let value?): records.append(value)
            case (nil, nil): break
            }
        }
    }
}
