/// Field-level three-way merge (rule 3).
///
/// For each field: a member whose current value differs from its shadow
/// changed it. One changed side (or several that agree): that value wins,
/// unless that side's shadow is older than the canonical value (it missed a
/// change made elsewhere while it was down): then the change it missed
/// competes too, as the members holding it, and the newest wins.
/// Several sides changed it to different values: a conflict, won by the side
/// whose task `updated_at` is newest, ties to the earlier member of the
/// link; each losing value is reported, never dropped. No side changed it:
/// the canonical value stands, and any member that still differs (a push
/// that failed last time) is written again, which gives convergence (rule 1).
public protocol MergeableFields: Hashable, Sendable {
    associatedtype Key: Hashable & Comparable & Sendable
    static var mergeKeys: [Key] { get }
    func same(_ key: Key, as other: Self) -> Bool
    mutating func copy(_ key: Key, from other: Self)
}

extension TaskFields: MergeableFields {
    public static var mergeKeys: [Field] { Field.allCases }
    public func same(_ key: Field, as other: TaskFields) -> Bool { value(of: key) == other.value(of: key) }
}

public enum SubtaskField: String, CaseIterable, Comparable, Sendable, Codable {
    case title, done
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

extension SubtaskFields: MergeableFields {
    public static var mergeKeys: [SubtaskField] { SubtaskField.allCases }
    public func same(_ key: SubtaskField, as other: SubtaskFields) -> Bool {
        switch key {
        case .title: title == other.title
        case .done: done == other.done
        }
    }
    public mutating func copy(_ key: SubtaskField, from other: SubtaskFields) {
        switch key {
        case .title: title = other.title
        case .done: done = other.done
        }
    }
}

/// One member's side of an item, as the merge sees it.
public struct MergeSide<Fields: MergeableFields>: Sendable {
    public var provider: String
    /// What the provider holds now; nil when it holds no copy yet or could
    /// not be read this cycle.
    public var current: Fields?
    /// The last agreed state of this member's copy; nil when not mapped yet.
    public var shadow: Fields?
    public var updatedAt: Timestamp?
    public var readable: Set<Fields.Key>
    public var writable: Set<Fields.Key>

    public init(
        provider: String, current: Fields?, shadow: Fields?, updatedAt: Timestamp?, readable: Set<Fields.Key>,
        writable: Set<Fields.Key>
    ) {
        self.provider = provider
        self.current = current
        self.shadow = shadow
        self.updatedAt = updatedAt
        self.readable = readable
        self.writable = writable
    }
}

public struct MergeConflict<Key: Hashable & Sendable>: Sendable, Hashable {
    public var field: Key
    public var winner: String
    public var loser: String
}

public struct MergeOutcome<Fields: MergeableFields>: Sendable {
    /// The value every member should hold.
    public var merged: Fields
    /// Per member (by index of the sides), the fields to write to it.
    public var writes: [Int: [Fields.Key]]
    /// Fields that members changed since their shadow, per member index.
    public var observed: [Int: [Fields.Key]]
    public var conflicts: [MergeConflict<Fields.Key>]
}

public enum ThreeWayMerge {
    /// Merges the sides (in link member order) against `canonical`, the last
    /// merged value. With no canonical value yet (a task seen for the first
    /// time, or paired on a first link), every side counts as changed, the
    /// newest wins each field, and no conflict is reported.
    public static func merge<F: MergeableFields>(canonical: F?, sides: [MergeSide<F>]) -> MergeOutcome<F>? {
        guard let start = canonical ?? newest(sides)?.current else { return nil }
        var merged = start
        var writes: [Int: [F.Key]] = [:]
        var observed: [Int: [F.Key]] = [:]
        var conflicts: [MergeConflict<F.Key>] = []
        for key in F.mergeKeys {
            var changed: [Int] = []
            for (i, side) in sides.enumerated() where side.readable.contains(key) {
                guard let current = side.current else { continue }
                if let shadow = side.shadow {
                    if !current.same(key, as: shadow) { changed.append(i) }
                } else if canonical == nil || !current.same(key, as: start) {
                    changed.append(i)
                }
            }
            for i in changed where sides[i].shadow != nil { observed[i, default: []].append(key) }
            // A side that changed the field from a shadow the canonical value has
            // since left (it was away, or a push to it failed, while another member
            // changed the field) competes with that change: the members that hold
            // the canonical value stand for it, with their `updated_at`.
            var candidates = changed
            if let canonical, changed.contains(where: { sides[$0].shadow.map { !$0.same(key, as: canonical) } ?? false }) {
                candidates += sides.indices.filter { i in
                    !changed.contains(i) && sides[i].readable.contains(key) && sides[i].current.map { $0.same(key, as: canonical) } == true
                }
                candidates.sort()
            }
            if let winner = pickWinner(candidates, sides) {
                merged.copy(key, from: sides[winner].current!)
                if canonical != nil {
                    for i in changed where !sides[i].current!.same(key, as: merged) {
                        conflicts.append(MergeConflict(field: key, winner: sides[winner].provider, loser: sides[i].provider))
                    }
                }
            }
            for (i, side) in sides.enumerated() where side.writable.contains(key) {
                if let current = side.current, !current.same(key, as: merged) { writes[i, default: []].append(key) }
            }
        }
        return MergeOutcome(merged: merged, writes: writes, observed: observed, conflicts: conflicts)
    }

    /// Newest `updated_at` wins; equal or unknown times fall to member order.
    static func pickWinner<F>(_ candidates: [Int], _ sides: [MergeSide<F>]) -> Int? {
        var best: Int?
        for i in candidates {
            guard let b = best else {
                best = i
                continue
            }
            if let t = sides[i].updatedAt, t > (sides[b].updatedAt ?? Timestamp(millisecondsSince1970: .min)) {
                best = i
            }
        }
        return best
    }

    static func newest<F>(_ sides: [MergeSide<F>]) -> MergeSide<F>? {
        let present = sides.indices.filter { sides[$0].current != nil }
        return pickWinner(present, sides).map { sides[$0] }
    }
}
