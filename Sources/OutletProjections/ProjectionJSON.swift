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
        let piece = 1 << 16
        var writer = CanonicalWriter(capacity: piece + 4_096)
        writer.object { json in
            json.name("asOf"); json.string(date.description)
            json.name("bans"); json.array { json in for ban in bans(on: date) { ban.write(to: &json) } }
            json.name("calendar"); json.array { json in
                for entry in calendar(from: range.from, to: range.to, asOf: date).entries {
                    entry.write(to: &json)
                    json.drain(over: piece, into: sink)
                }
            }
            json.name("roster")
            if let rosterJSON {
                json.canonical(rosterJSON)
            } else {
                json.array { json in
                    forEachEntry(of: known ?? rosterOrder(on: date), on: date) { entry in
                        entry.write(to: &json)
                        json.drain(over: piece, into: sink)
                    }
                }
            }
        }
        writer.drain(over: 0, into: sink)
    }

    /// The digest document whole (what tests compare).
    public func digestDocument(asOf date: LocalDate, roster known: RosterOrder? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        writeDigestDocument(asOf: date, roster: known) { bytes += $0 }
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
