import CanonicalJSON
import OutletDomain

// The JSON forms of the projections (issue #4): what `--json` prints and what the digest hashes.

extension RosterEntry {
    public var jsonValue: JSONValue {
        .object([
            "uscc": .string(uscc.code), "outletNo": outletNo.map(JSONValue.string) ?? .null, "name": .string(name),
            "category": .string(category.rawValue), "district": .string(district), "address": .string(address),
            "principal": .object(["name": .string(principal.name), "title": .string(principal.title)]),
            "contact": .object(["name": .string(contact.name), "phone": .string(contact.phone)]),
            "level": .string(level.rawValue), "registeredOn": .string(registeredOn.description),
            "validThrough": validThrough.map { .string($0.description) } ?? .null,
            "serviceItems": .array(serviceItems.map(JSONValue.string)), "underRectification": .bool(underRectification),
            "rectificationDeadline": rectificationDeadline.map { .string($0.description) } ?? .null,
            "overdueSummaries": .array(overdueSummaries.map { .integer(Int64($0)) }),
        ])
    }
}

extension BanEntry {
    public var jsonValue: JSONValue {
        .object([
            "uscc": .string(uscc.code), "name": .string(name), "ground": .string(ground.rawValue),
            "from": .string(from.description), "through": .string(through.description),
        ])
    }
}

extension CalendarEntry {
    public var jsonValue: JSONValue {
        .object(["date": .string(date.description), "kind": .string(kind.rawValue), "uscc": .string(uscc.code), "name": .string(name)])
    }
}

extension RegistryProjection {
    /// The calendar range the digest covers: one year from the as-of date.
    public static func digestCalendarRange(asOf date: LocalDate) -> (from: LocalDate, to: LocalDate) {
        (date, date.adding(years: 1))
    }

    /// What the projection digest hashes: roster, bans and the coming year's calendar on `date`, as one
    /// canonical JSON document, so two machines replaying the same log agree on one string.
    /// `roster`: its JSON on `date`, when the caller has it already (it is most of the work).
    public func digestDocument(asOf date: LocalDate, roster known: JSONValue? = nil) -> JSONValue {
        let range = Self.digestCalendarRange(asOf: date)
        return .object([
            "asOf": .string(date.description),
            "roster": known ?? .array(roster(on: date).map(\.jsonValue)),
            "bans": .array(bans(on: date).map(\.jsonValue)),
            "calendar": .array(calendar(from: range.from, to: range.to, asOf: date).entries.map(\.jsonValue)),
        ])
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
