/// A link's entities by id: the records side by side in one array, and a
/// small index from id to place.
///
/// Read like a dictionary (`table[id]`, `values`, `keys`, `count`). A
/// `[Int64: EntityRecord]` sized for 100,000 entities holds 262,144 slots of
/// the whole record (23 MB); this holds 100,000 records and an index of
/// 4-byte places (11 MB), loaded once per cycle.
///
/// Contract: `values` and `keys` are in insertion order; removing an id
/// moves the last record into its place.
public struct EntityTable: Sendable {
    private var places: [Int64: Int32]
    public private(set) var values: [EntityRecord]

    public init(minimumCapacity: Int = 0) {
        places = Dictionary(minimumCapacity: minimumCapacity)
        values = []
        values.reserveCapacity(minimumCapacity)
    }

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }
    public var keys: some Collection<Int64> { values.lazy.map(\.id) }

    public subscript(id: Int64) -> EntityRecord? {
        get { places[id].map { values[Int($0)] } }
        set {
            switch (places[id], newValue) {
            case (let place?, var record?):
                record.id = id
                values[Int(place)] = record
            case (nil, var record?):
                record.id = id
                places[id] = Int32(values.count)
                values.append(record)
            case (let place?, nil):
                let last = values.removeLast()
                places[id] = nil
                if Int(place) < values.count {
                    values[Int(place)] = last
                    places[last.id] = place
                }
            case (nil, nil): break
            }
        }
    }
}

extension EntityTable: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (Int64, EntityRecord)...) {
        self.init(minimumCapacity: elements.count)
        for (id, record) in elements { self[id] = record }
    }
}
