import Foundation

/// Remembers what each page of a listing parsed to, keyed by a digest of the
/// page's bytes: a page that comes back byte for byte the same is not parsed
/// again. For listings read in full on every poll (HelpSpace), where most
/// pages are the same from one cycle to the next.
///
/// Contract: the result for a page is exactly what `parse` returns for those
/// bytes; the memo only saves the work. It holds the last listing's pages in
/// memory and nothing else; a restart just parses everything once.
public final class PageMemo<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [Int: (digest: UInt64, count: Int, value: Value)] = [:]

    public init() {}

    public func read(page: Int, body: [UInt8], parse: ([UInt8]) throws -> Value) throws -> Value {
        let digest = Self.digest(body)
        lock.lock()
        let known = entries[page]
        lock.unlock()
        if let known, known.digest == digest, known.count == body.count { return known.value }
        let value = try parse(body)
        lock.lock()
        entries[page] = (digest, body.count, value)
        lock.unlock()
        return value
    }

    /// A 64-bit hash of the bytes, eight at a time (pages are tens of
    /// kilobytes, read on every poll). Only equality matters here, together
    /// with the length.
    static func digest(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            var hash: UInt64 = 0x9e37_79b9_7f4a_7c15 ^ UInt64(raw.count)
            var offset = 0
            while offset + 8 <= raw.count {
                let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                hash = (hash ^ word) &* 0xff51_afd7_ed55_8ccd
                hash ^= hash >> 32
                offset += 8
            }
            while offset < raw.count {
                hash = (hash ^ UInt64(raw[offset])) &* 0x100_0000_01b3
                offset += 1
            }
            return hash
        }
    }
}

/// One page of a listing, parsed: its tasks, the items that failed, and its
/// place among the pages.
public struct ListedPage: Sendable {
    public var tasks: [RemoteTask] = []
    public var problems: [String] = []
    public var currentPage: Int?
    public var lastPage: Int?
    public var itemCount: Int

    public init(currentPage: Int?, lastPage: Int?, itemCount: Int) {
        self.currentPage = currentPage
        self.lastPage = lastPage
        self.itemCount = itemCount
    }
}
