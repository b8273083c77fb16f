import CanonicalJSON
import OutletDomain

// The JSON forms of the projections (issue #4): what `--json` prints and what the digest hashes.

extension RosterEntry {
    /// The entry's JSON, members in canonical order: what `--json` prints and the digest hashes.
    public func write(to writer: inout CanonicalWriter) {
        writer.object { json in
            json.name("address"); json.string(address)
            json.name("category"); json.string(category.rawValue)
            json.name("contact"); json.object { json in
                json.name("name"); json.string(contact.name)
                json.name("phone"); json.string(contact.phone)
            }
            json.name("district"); json.string(district)
            json.name("level"); json.string(level.rawValue)
            json.name("name"); json.string(name)
            json.name("outletNo"); json.string(outletNo)
            json.name("overdueSummaries"); json.array { json in for year in overdueSummaries { json.integer(Int64(year)) } }
            json.name("principal"); json.object { json in
                json.name("name"); json.string(principal.name)
                json.name("title"); json.string(principal.title)
            }
            json.name("rectificationDeadline"); json.string(rectificationDeadline?.description)
            json.name("registeredOn"); json.string(registeredOn.description)
            json.name("serviceItems"); json.array { json in for item in serviceItems { json.string(item) } }
            json.name("underRectification"); json.bool(underRectification)
            json.name("uscc"); json.string(uscc.code)
            json.name("validThrough"); json.string(validThrough?.description)
        }
    }

    public var jsonValue: JSONValue { .written(write) }
}

extension BanEntry {
    public func write(to writer: inout CanonicalWriter) {
        writer.object { json in
            json.name("from"); json.string(from.description)
            json.name("ground"); json.string(ground.rawValue)
            json.name("name"); json.string(name)
            json.name("through"); json.string(through.description)
            json.name("uscc"); json.string(uscc.code)
        }
    }

    public var jsonValue: JSONValue { .written(write) }
}

extension CalendarEntry {
    public func write(to writer: inout CanonicalWriter) {
        writer.object { json in
            json.name("date"); json.string(date.description)
            json.name("kind"); json.string(kind.rawValue)
            json.name("name"); json.string(name)
            json.name("uscc"); json.string(uscc.code)
        }
    }

    public var jsonValue: JSONValue { .written(write) }
}

extension JSONValue {
    /// The tree of what a writer writes (one description of each shape: the writer's).
    static func written(_ write: (inout CanonicalWriter) -> Void) -> JSONValue {
        var writer = CanonicalWriter(capacity: 512)
        write(&writer)
        guard let value = try? JSONParser.parse(writer.bytes) else { preconditionFailure("a canonical writer writes JSON") }
        return value
    }
}

extension RegistryProjection {
    /// The calendar range the digest covers: one year from the as-of date.
    public static func digestCalendarRange(asOf date: LocalDate) -> (from: LocalDate, to: LocalDate) {
        (date, date.adding(years: 1))
    }

    /// What the projection digest hashes: roster, bans and the coming year's calendar on `date`, as one
    /// canonical JSON document `{asOf, bans, calendar, roster}`, so two machines replaying the same log
    /// agree on one string. Written straight to bytes, and handed to `sink` a piece at a time (tens of
    /// megabytes at a million events: a hash need not hold them). `roster`: the roster's order on `date`,
    /// when the caller has it already; `rosterJSON`: its array of entries, when the caller wrote it already.
    public func writeDigestDocument(asOf date: LocalDate, roster known: RosterOrder? = nil, rosterJSON: [UInt8]? = nil,
                                    to sink: ([UInt8]) -> Void)
    {
        let range = Self.digestCalendarRange(asOf: date)
        var writer = CanonicalWriter(capacity: 1 << 20)
        writer.object { json in
            json.name("asOf"); json.string(date.description)
            json.name("bans"); json.array { json in for ban in bans(on: date) { ban.write(to: &json) } }
            let calendar = calendar(from: range.from, to: range.to, asOf: date).entries
            json.name("calendar"); Self.writeArray(calendar.count, into: &json, drainingInto: sink) { calendar[$0].write(to: &$1) }
            json.name("roster")
            if let rosterJSON {
                json.canonical(rosterJSON)
            } else {
                writeRoster(known ?? rosterOrder(on: date), on: date, into: &json, drainingInto: sink)
            }
        }
        writer.drain(over: 0, into: sink)
    }

    /// The entries of `order` as one canonical JSON array: the `outlets` of the whole roster's document, and
    /// what its digest hashes.
    public func rosterJSON(_ order: RosterOrder, on date: LocalDate) -> [UInt8] {
        var writer = CanonicalWriter(capacity: 600 * (order.count + 1))
        writeRoster(order, on: date, into: &writer, drainingInto: { _ in }, over: .max)
        return writer.bytes
    }

    private func writeRoster(_ order: RosterOrder, on date: LocalDate, into json: inout CanonicalWriter,
                             drainingInto sink: ([UInt8]) -> Void, over threshold: Int = 1 << 16)
    {
        checkBasis(of: order, on: date)
        Self.writeArray(order.count, into: &json, drainingInto: sink, over: threshold) { place, json in
            prefetchStates(of: order.places, ahead: place, before: order.count)
            entry(at: order.places[place], on: date, heldBy: nil).write(to: &json)
        }
    }

    /// Elements `0..<count` as one array in `json`, in rounds of `round`, each round's elements written in
    /// shares of `share` on every core, and after each round what `json` holds is handed to `sink` once it
    /// is over `threshold` bytes (`.max`: all kept): a long array streams through about a round's bytes, a
    /// few megabytes.
    static func writeArray(_ count: Int, into json: inout CanonicalWriter, drainingInto sink: ([UInt8]) -> Void, over threshold: Int = 1 << 16,
                           share: Int = itemsPerShare, round roundSize: Int = itemsPerRound,
                           element: @Sendable (Int, inout CanonicalWriter) -> Void)
    {
        json.array { json in
            for start in stride(from: 0, to: count, by: roundSize) {
                let round = start..<min(count, start + roundSize)
                json.elements(of: inShares(round.count, of: share) { share in
                    var writer = CanonicalWriter(capacity: 600 * share.count + 2)
                    writer.array { json in for index in share { element(round.lowerBound + index, &json) } }
                    return writer.bytes
                })
                json.drain(over: threshold, into: sink)
            }
        }
    }

    /// Items of a long list worked in one share on one core, and in one round (see `writeArray`): four shares,
    /// about 4 MB of roster JSON, so that a digest holds a few megabytes however long the roster.
    static let itemsPerShare = 2_048, itemsPerRound = 8_192
    /// How many items ahead a loop over many states (a roster's entries, a fold's events) asks for the cache
    /// lines of the next step of reading one (`prefetchStates`, `take`): far enough for a miss (~100 ns) to be
    /// over when it is read, near enough that what it fetched is still in the cache.
    static let prefetchDistance = 8

    /// The digest document whole (what tests compare).
    public func digestDocument(asOf date: LocalDate, roster known: RosterOrder? = nil, rosterJSON: [UInt8]? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        writeDigestDocument(asOf: date, roster: known, rosterJSON: rosterJSON) { bytes += $0 }
        return bytes
    }
}

extension StatusReport {
    /// An institution's status as JSON: `{uscc, name, asOf, status, stage, …dates, barGround, warnings}`.
    public func jsonValue(uscc: USCC) -> JSONValue {
        func day(_ date: LocalDate?) -> JSONValue { date.map { .string($0.description) } ?? .null }
        return .object([
            "uscc": .string(uscc.code), "name": name.map(JSONValue.string) ?? .null, "asOf": .string(asOf.description),
            "status": .string(status.rawValue), "stage": stage.map { .string($0.rawValue) } ?? .null,
            "publicityWindowEnds": day(publicityWindowEnds), "registeredOn": day(registeredOn),
            "validThrough": day(validThrough), "rectificationDeadline": day(rectificationDeadline),
            "barredThrough": day(barredThrough), "barGround": barGround.map { .string($0.rawValue) } ?? .null,
            "warnings": .array(warnings.map(JSONValue.string)),
        ])
    }
}
