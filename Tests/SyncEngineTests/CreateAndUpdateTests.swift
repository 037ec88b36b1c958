import Foundation
import ProviderFakes
import Testing

@Suite("Tasks flow both ways")
struct CreateAndUpdateTests {
    @Test("a task created on HelpSpace appears on Productive with every field both can hold")
    func createFromHelpSpace() async throws {
        try await withHarness { h in
            await h.hs.seed(
                title: "Ship it", description: "<p>Release <b>v2</b></p>", statusID: 2, tags: ["release", "ops"],
                priority: "high", subtasks: ["Tag", "Announce"], dueAt: "2026-03-29")
            try await h.cycle()
            let t = try #require(await h.prTask("Ship it"))
            #expect(t.description == "<p>Release <b>v2</b></p>")
            #expect(t.workflowStatusID == "2546")
            #expect(Set(t.tags) == ["release", "ops"])
            #expect(t.dueDate == "2026-03-29")
            let subs = await h.pr.liveTasks().filter { $0.parentID == t.id }.map(\.title)
            #expect(Set(subs) == ["Tag", "Announce"])
        }
    }

    @Test("a task created on Productive appears on HelpSpace")
    func createFromProductive() async throws {
        try await withHarness { h in
            let parent = await h.pr.seed(title: "Budget", description: "<p>Q3</p>", status: "2547", tags: ["finance"], dueDate: "2026-10-31")
            await h.pr.seed(title: "Collect receipts", parent: parent)
            try await h.cycle()
            let t = try #require(await h.hsTask("Budget"))
            #expect(t.statusID == 3)
            #expect(t.tags == ["finance"])
            #expect(t.description == "<p>Q3</p>")
            #expect(t.dueAt == "2026-10-31")
            #expect(t.subtasks.map(\.title) == ["Collect receipts"])
        }
    }

    @Test("status, tags, subtasks and comments changed on either side flow across")
    func editsFlow() async throws {
        try await withHarness { h in
            let hsID = await h.hs.seed(title: "Onboarding", tags: ["hr"], subtasks: ["Laptop"])
            try await h.cycle()
            let prID = try #require(await h.prTask("Onboarding")).id

            // HelpSpace side: status, a tag, a subtask done, a comment.
            await h.hs.edit(hsID) { t in
                t.statusID = 2
                t.tags.append("urgent")
                t.subtasks[0].doneAt = Date()
            }
            await h.hs.addComment(hsID, text: "<p>Laptop ordered</p>", author: "Dana")
            try await h.cycle()
            var pt = try #require(await h.prTask("Onboarding"))
            #expect(pt.workflowStatusID == "2546")
            #expect(Set(pt.tags) == ["hr", "urgent"])
            #expect(await h.pr.liveTasks().first { $0.parentID == prID }?.closed == true)
            let comments = await h.pr.comments(of: prID)
            #expect(comments.count == 1)
            #expect(comments.first?.body.contains("Laptop ordered") == true)
            #expect(comments.first?.body.contains("Dana") == true)

            // Productive side: status, tags, a new subtask, closed.
            await h.pr.edit(prID) { t in
                t.workflowStatusID = "2547"
                t.tags = ["hr"]
                t.closed = true
            }
            await h.pr.seed(title: "Badge", parent: prID)
            try await h.cycle()
            let ht = try #require(await h.hsTask("Onboarding"))
            #expect(ht.statusID == 3)
            #expect(ht.tags == ["hr"])
            #expect(ht.doneAt != nil)
            #expect(Set(ht.subtasks.map(\.title)) == ["Laptop", "Badge"])
            pt = try #require(await h.prTask("Onboarding"))
            #expect(await h.pr.comments(of: pt.id).count == 1, "the comment is not posted twice")
        }
    }

    @Test("titles with emoji, HTML entities and non-Latin scripts round-trip unchanged")
    func unicodeRoundTrip() async throws {
        try await withHarness { h in
            let titles = ["Déjà vu 🚀 release", "Tom &amp; Jerry <b>not bold</b>", "日本語のタスク", "Задача №5", "مهمة عربية", "👩‍💻 pair‑programming"]
            for t in titles { await h.hs.seed(title: t, description: "<p>\(t)</p>") }
            try await h.cycle()
            let prTitles = await h.pr.liveTasks().map(\.title)
            #expect(Set(prTitles) == Set(titles))
            // Edit on Productive and back: still the same text, and no echo.
            try await h.cycle()
            await h.hs.resetLedger()
            await h.pr.resetLedger()
            let report = try await h.cycle()
            #expect(report.plans.allSatisfy { $0.writeCount == 0 })
            #expect(Set(await h.hs.liveTasks().map(\.title)) == Set(titles))
        }
    }
}
