/// A 64-bit FNV-1a digest of a text: equal text, equal digest. The mirror
/// keeps digests next to canonical values and shadows so that a cycle can
/// tell "nothing changed" without loading or decoding them.
public enum Digest {
    public static func of(_ text: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
