import Foundation

/// What every `--json` prints: one style (snake_case keys, sorted, values as
/// JSON values, never JSON text inside a string), and, for a command that
/// fails before it prints its JSON, the error as JSON on stdout:
/// `{"error": "...", "exit_code": 78}`, with the same exit code.
final class JSONOutput: @unchecked Sendable {
    static let shared = JSONOutput()

    /// `--json` on the command line.
    let requested = CommandLine.arguments.dropFirst().contains("--json")
    private let lock = NSLock()
    private var messages: [String] = []
    private var printed = false

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    /// The JSON text of `value`; the command has printed its answer.
    func text(_ value: some Encodable) -> String {
        lock.withLock { printed = true }
        return String(decoding: (try? Self.encoder().encode(value)) ?? Data(), as: UTF8.self)
    }

    /// An error message also written to stderr.
    func record(_ message: String) { lock.withLock { messages.append(message) } }

    /// With --json, a failure that printed no JSON of its own prints its error as JSON.
    func reportFailure(exitCode: Int32, message: String) {
        guard requested, exitCode != 0 else { return }
        let (done, recorded) = lock.withLock { (printed, messages) }
        guard !done else { return }
        struct Failure: Encodable {
            var error: String
            var exitCode: Int32
        }
        let text = (recorded + [message]).filter { !$0.isEmpty }.joined(separator: "\n")
        print(self.text(Failure(error: text.isEmpty ? "exit status \(exitCode)" : text, exitCode: exitCode)))
    }
}
