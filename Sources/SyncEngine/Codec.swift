import Foundation
import ProviderKit

/// JSON for shadows and canonical values in the mirror: sorted keys, so the
/// same value is always the same text.
enum Codec {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}

extension Codec {
    /// A digest of a canonical value (64-bit FNV-1a): equal text, equal digest.
    static func digest(_ text: String) -> Int64 { Digest.of(text) }
}
