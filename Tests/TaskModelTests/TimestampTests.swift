import TaskModel
import Testing

@Suite("Time: offsets kept, dates stay dates (rule 8)")
struct TimestampTests {
    @Test("Productive's +02:00 with milliseconds becomes the same instant in UTC")
    func productiveOffset() throws {
        let t = try #require(Timestamp(parsing: "2025-09-03T06:19:43.621+02:00"))
        #expect(t.description == "2025-09-03T04:19:43.621Z")
        #expect(Timestamp(parsing: "2025-01-03T06:19:43.000+01:00")!.description == "2025-01-03T05:19:43.000Z")
        #expect(Timestamp(parsing: "2025-04-25T09:59:55+00:00")! == Timestamp(parsing: "2025-04-25T09:59:55Z")!)
    }

    @Test("a timestamp without an offset, or malformed, is refused rather than guessed")
    func refusesAmbiguous() {
        #expect(Timestamp(parsing: "2025-09-03T06:19:43") == nil)
        #expect(Timestamp(parsing: "2025-13-03T06:19:43Z") == nil)
        #expect(Timestamp(parsing: "yesterday") == nil)
    }

    @Test("a due date is the date as written, whatever the offset")
    func datesStayDates() {
        #expect(LocalDate(parsing: "2026-03-29")?.description == "2026-03-29")
        #expect(LocalDate(parsing: "2025-09-15T23:30:00-05:00")?.description == "2025-09-15")
        #expect(LocalDate(parsing: "2025-09-15T00:30:00+14:00")?.description == "2025-09-15")
        #expect(LocalDate(parsing: "15.09.2025") == nil)
    }

    @Test("round trip through the text form", arguments: ["1970-01-01T00:00:00.000Z", "2024-02-29T23:59:59.999Z", "1969-12-31T23:59:59.500Z"])
    func roundTrip(_ text: String) throws {
        #expect(try #require(Timestamp(parsing: text)).description == text)
    }
}
