import TaskModel
import Testing

@Suite("Three-way merge (rule 3)")
struct MergeTests {
    let all = Set(Field.allCases)
    func side(_ name: String, _ current: TaskFields, _ shadow: TaskFields, at: Int64, writable: Set<Field>? = nil) -> MergeSide<TaskFields> {
        MergeSide(
            provider: name, current: current, shadow: shadow, updatedAt: Timestamp(millisecondsSince1970: at),
            readable: writable ?? all, writable: writable ?? all)
    }

    @Test("a field changed on one side only is taken from that side and written to the other")
    func oneSide() throws {
        let base = TaskFields(title: "T", tags: ["a"])
        var edited = base
        edited.tags = ["a", "b"]
        let r = try #require(ThreeWayMerge.merge(canonical: base, sides: [side("x", edited, base, at: 1), side("y", base, base, at: 9)]))
        #expect(r.merged.tags == ["a", "b"])
        #expect(r.writes[1] == [.tags])
        #expect(r.writes[0] == nil)
        #expect(r.conflicts.isEmpty)
    }

    @Test("the same field changed on both sides: newer updated_at wins, the loser is reported")
    func conflictNewerWins() throws {
        let base = TaskFields(title: "T")
        let x = TaskFields(title: "from x")
        let y = TaskFields(title: "from y")
        let r = try #require(ThreeWayMerge.merge(canonical: base, sides: [side("x", x, base, at: 5), side("y", y, base, at: 7)]))
        #expect(r.merged.title == "from y")
        #expect(r.conflicts.map { "\($0.field) \($0.winner) \($0.loser)" } == ["title y x"])
        #expect(r.writes[0] == [.title])
    }

    @Test("equal times fall to the order of members in the link")
    func tieGoesToFirstMember() throws {
        let base = TaskFields(title: "T")
        let r = try #require(
            ThreeWayMerge.merge(
                canonical: base,
                sides: [
                    side("x", TaskFields(title: "x"), base, at: 5), side("y", TaskFields(title: "y"), base, at: 5),
                ]))
        #expect(r.merged.title == "x")
    }

    @Test("no side changed but one still differs (a push that failed): it is written again")
    func convergesAfterFailedPush() throws {
        let canonical = TaskFields(title: "new")
        let stale = TaskFields(title: "old")
        let r = try #require(ThreeWayMerge.merge(canonical: canonical, sides: [side("x", canonical, canonical, at: 1), side("y", stale, stale, at: 1)]))
        #expect(r.writes[1] == [.title])
        #expect(r.observed.isEmpty)
    }

    @Test("a field a member cannot hold is neither read from nor written to it")
    func capabilities() throws {
        let base = TaskFields(title: "T", priority: .low)
        var x = base
        x.priority = .high
        let noPriority = Set(Field.allCases).subtracting([.priority])
        let r = try #require(
            ThreeWayMerge.merge(
                canonical: base, sides: [side("x", x, base, at: 1), side("y", TaskFields(title: "T"), TaskFields(title: "T"), at: 2, writable: noPriority)]))
        #expect(r.merged.priority == .high)
        #expect(r.writes[1] == nil)
    }

    @Test("three members: the newest of three edits wins, both losers are reported; an exact tie goes to the first listed")
    func threeSides() throws {
        let base = TaskFields(title: "Plan")
        let edits = ["Plan A", "Plan B", "Plan C"].map { TaskFields(title: $0) }
        let r = try #require(
            ThreeWayMerge.merge(
                canonical: base, sides: [side("x", edits[0], base, at: 1), side("y", edits[1], base, at: 3), side("z", edits[2], base, at: 2)]))
        #expect(r.merged.title == "Plan B")
        #expect(Set(r.conflicts.map(\.loser)) == ["x", "z"])
        #expect(r.conflicts.allSatisfy { $0.winner == "y" })
        #expect(r.writes[0] == [.title] && r.writes[2] == [.title] && r.writes[1] == nil)
        let tie = try #require(
            ThreeWayMerge.merge(
                canonical: base, sides: [side("x", edits[0], base, at: 5), side("y", edits[1], base, at: 5), side("z", edits[2], base, at: 5)]))
        #expect(tie.merged.title == "Plan A")
        let unchanged = try #require(
            ThreeWayMerge.merge(
                canonical: base, sides: [side("x", base, base, at: 9), side("y", edits[1], base, at: 5), side("z", edits[2], base, at: 5)]))
        #expect(unchanged.merged.title == "Plan B", "a member that did not change the field never wins it")
    }

    @Test("a member back from an outage with an edit older than the change it missed loses it; a newer one wins")
    func staleEditFromAReturningMember() throws {
        let old = TaskFields(title: "Shared")
        let newer = TaskFields(title: "Shared (newer)")
        let stale = TaskFields(title: "Shared (stale)")
        // x and y agreed on the newer title at 30; z still has the old shadow and edited at 10.
        let lost = try #require(
            ThreeWayMerge.merge(
                canonical: newer, sides: [side("x", newer, newer, at: 30), side("y", newer, newer, at: 31), side("z", stale, old, at: 10)]))
        #expect(lost.merged.title == "Shared (newer)")
        #expect(lost.writes[2] == [.title])
        #expect(lost.conflicts.map(\.loser) == ["z"])
        let won = try #require(
            ThreeWayMerge.merge(
                canonical: newer, sides: [side("x", newer, newer, at: 30), side("y", newer, newer, at: 31), side("z", stale, old, at: 40)]))
        #expect(won.merged.title == "Shared (stale)")
        #expect(won.writes[0] == [.title] && won.writes[1] == [.title])
    }
}
