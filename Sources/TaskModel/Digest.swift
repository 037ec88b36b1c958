/// A 64-bit FNV-1a digest of a text: equal text, equal digest. The mirror
/// keeps digests next to canonical values and shadows so that a cycle can
/// tell "nothing changed" without loading or decoding them.
public enum Digest {
    public static func of(_ text: String) -> Int64 {
        var d = Builder()
        d.add(text)
        return d.value
    }

    /// Builds a digest from several parts without joining them into one text.
    public struct Builder {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325

        public init() {}

        public mutating func add(_ text: String) {
            var h = hash
            for byte in text.utf8 {
                h ^= UInt64(byte)
                h = h &* 0x100_0000_01b3
            }
            hash = h
        }

        /// A byte that cannot occur in UTF-8 text marks where a part ends.
        public mutating func separate() {
            hash = (hash ^ 0xFF) &* 0x100_0000_01b3
        }

        public var value: Int64 { Int64(bitPattern: hash) }
    }
}
