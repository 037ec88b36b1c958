/// A table by key whose values sit side by side in one array, with a small
/// index from key to place: read like a dictionary (`table[key]`, `keys`,
/// `values`, `count`), and much smaller for large values.
///
/// A dictionary keeps a slot of key and whole value for every place in its
/// hash table, which is a power of two at least 4/3 of the count: a
/// `[Int64: EntityRecord]` of 100,000 entities holds 262,144 slots of 88
/// bytes (23 MB), a `[String: RemoteTask]` of 100,000 listed tasks 262,144
/// of 176 (46 MB). This holds the values and keys once each and an index of
/// 4-byte places (11 MB and 21 MB).
///
/// Contract: `keys` and `values` are in insertion order, `keys[i]` the key
/// of `values[i]`; removing a key moves the last entry into its place.
public struct DenseTable<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private var places: [Key: Int32]
    public private(set) var keys: [Key]
    public private(set) var values: [Value]

    public init(minimumCapacity: Int = 0) {
        places = Dictionary(minimumCapacity: minimumCapacity)
        keys = []
        values = []
        keys.reserveCapacity(minimumCapacity)
        values.reserveCapacity(minimumCapacity)
    }

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }

    public subscript(key: Key) -> Value? {
        get { places[key].map { values[Int($0)] } }
        set {
            switch (places[key], newValue) {
            case (let place?, let value?):
                values[Int(place)] = value
            case (nil, let value?):
                places[key] = Int32(values.count)
                keys.append(key)
                values.append(value)
            case (let place?, nil):
                places[key] = nil
                let lastKey = keys.removeLast()
                let lastValue = values.removeLast()
                if Int(place) < values.count {
                    keys[Int(place)] = lastKey
                    values[Int(place)] = lastValue
                    places[lastKey] = place
                }
            case (nil, nil): break
            }
        }
    }
}

extension DenseTable: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (Key, Value)...) {
        self.init(minimumCapacity: elements.count)
        for (key, value) in elements { self[key] = value }
    }
}

/// A link's entities by id (``LinkMirrorState/entities``), loaded once per cycle.
public typealias EntityTable = DenseTable<Int64, EntityRecord>
