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
}
