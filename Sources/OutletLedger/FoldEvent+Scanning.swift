import CanonicalJSON
import OutletDomain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The facts the fold reads (FoldEvent), scanned from a stored payload's canonical bytes. Imports only
// the parser and the domain: the fuzzer builds it with them (tools/reliability/fuzz, target fold-facts).

extension EventType {
    private static let names: [(name: [UInt8], type: EventType)] = allCases.map { (Array($0.rawValue.utf8), $0) }

    /// The type whose name these bytes are: the lengths compared first, then the bytes at once (the fold
    /// asks it of every event; comparing element by element through the generic path was 4% of reading one).
    init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return nil }
        for (name, type) in Self.names where name.count == bytes.count {
            if name.withUnsafeBufferPointer({ memcmp($0.baseAddress!, base, bytes.count) == 0 }) {
                self = type
                return
            }
        }
        return nil
    }
}

extension FoldEvent.Facts {
    /// The facts of a payload of `type`'s newest schema version, read from its canonical bytes without
    /// decoding the rest; the members named here are those of the payload types' `Codable` forms (a
    /// test compares the two readings on every event of the demo and of synthetic histories).
    init(scanning type: EventType, _ bytes: UnsafeBufferPointer<UInt8>) throws(ScanMiss) {
        var scanner = CanonicalScanner(bytes)
        switch type {
        case .submitted, .autoIncluded:
            var institution: Institution?
            var items: [String]?
            var level: AutoIncluded.Level?
            try scanner.members { scanner, name throws(ScanMiss) in
                if name == "institution" {
                    institution = try Institution(scanning: &scanner)
                } else if name == "serviceItems" {
                    items = try scanner.strings()
                } else if type == .autoIncluded, name == "level" {
                    level = try scanner.enumeration()
                } else {
                    try scanner.skip()
                }
            }
            guard let institution, let items else { throw scanner.miss("institution and serviceItems") }
            if type == .submitted {
                self = .submitted(institution, serviceItems: items)
            } else {
                guard let level else { throw scanner.miss("level") }
                self = .autoIncluded(level, institution, serviceItems: items)
            }
        case .publicized:
            self = .publicized(noticeNo: try scanner.member("noticeNo") { scanner throws(ScanMiss) in try scanner.string() })
        case .objection:
            self = .objection(id: try scanner.member("objectionId") { scanner throws(ScanMiss) in try scanner.string() })
        case .objectionResolved:
            var id: String?
            var outcome: ObjectionResolved.Outcome?
            try scanner.members { scanner, name throws(ScanMiss) in
                if name == "objectionId" {
                    id = try scanner.string()
                } else if name == "outcome" {
                    outcome = try scanner.enumeration()
                } else {
                    try scanner.skip()
                }
            }
            guard let id, let outcome else { throw scanner.miss("objectionId and outcome") }
            self = .objectionResolved(id: id, outcome: outcome)
        case .infoChanged:
            self = .infoChanged(try scanner.member("changes") { scanner throws(ScanMiss) in try InfoChanged.Changes(scanning: &scanner) })
        case .annualSummaryFiled:
            self = .annualSummaryFiled(year: try scanner.member("year") { scanner throws(ScanMiss) in try scanner.int() })
        case .revoked:
            self = .revoked(try scanner.member("ground") { scanner throws(ScanMiss) in try scanner.enumeration() })
        case .barred3Years:
            self = .barred3Years(try scanner.member("ground") { scanner throws(ScanMiss) in try scanner.enumeration() })
        case .superseded:
            self = .superseded(try scanner.member("designation") { scanner throws(ScanMiss) in try scanner.enumeration() })
        case .retracted:
            self = .retracted(targetSeq: Int64(try scanner.member("targetSeq") { scanner throws(ScanMiss) in try scanner.int() }))
        case .recommended: try scanner.skip(); self = .recommended
        case .registered: try scanner.skip(); self = .registered
        case .declined: try scanner.skip(); self = .declined
        case .rectificationOrdered: try scanner.skip(); self = .rectificationOrdered
        case .rectificationCompleted: try scanner.skip(); self = .rectificationCompleted
        case .renewed: try scanner.skip(); self = .renewed
        case .terminated: try scanner.skip(); self = .terminated
        case .inclusionEnded: try scanner.skip(); self = .inclusionEnded
        }
        try scanner.end()
    }
}

extension CanonicalScanner {
    /// The one member of the object here that the fold reads, the others skipped.
    mutating func member<Value>(_ wanted: StaticString, _ read: (inout CanonicalScanner) throws(ScanMiss) -> Value) throws(ScanMiss) -> Value {
        var value: Value?
        try members { scanner, name throws(ScanMiss) in
            if name == wanted { value = try read(&scanner) } else { try scanner.skip() }
        }
        guard let value else { throw miss("member \(wanted)") }
        return value
    }

    mutating func int() throws(ScanMiss) -> Int {
        guard let value = Int(exactly: try integer()) else { throw miss("an Int") }
        return value
    }

    mutating func enumeration<Value: RawRepresentable<String>>() throws(ScanMiss) -> Value {
        guard let value = Value(rawValue: try string()) else { throw miss("a known \(Value.self)") }
        return value
    }

    /// An optional member's value: nil for `null`, as `decodeIfPresent` reads it.
    mutating func optional<Value>(_ read: (inout CanonicalScanner) throws(ScanMiss) -> Value) throws(ScanMiss) -> Value? {
        null() ? nil : try read(&self)
    }
}

extension Institution {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var name: String?, uscc: USCC?, nature: String?, category: Category?, district: String?, address: String?
        var principal: Principal?, totalStaff: Int?, department: Department?, contact: Contact?
        var website: Website?, wechat: String?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "name" { name = try scanner.string() }
            else if member == "uscc" {
                guard let code = try? USCC(validating: try scanner.string()) else { throw scanner.miss("a USCC") }
                uscc = code
            }
            else if member == "nature" { nature = try scanner.string() }
            else if member == "category" { category = try scanner.enumeration() }
            else if member == "district" { district = try scanner.string() }
            else if member == "address" { address = try scanner.string() }
            else if member == "principal" { principal = try Principal(scanning: &scanner) }
            else if member == "totalStaff" { totalStaff = try scanner.int() }
            else if member == "department" { department = try Department(scanning: &scanner) }
            else if member == "contact" { contact = try Contact(scanning: &scanner) }
            else if member == "website" { website = try scanner.optional { scanner throws(ScanMiss) in try Website(scanning: &scanner) } }
            else if member == "wechat" { wechat = try scanner.optional { scanner throws(ScanMiss) in try scanner.string() } }
            else { try scanner.skip() }
        }
        guard let name, let uscc, let nature, let category, let district, let address, let principal, let totalStaff,
              let department, let contact
        else { throw scanner.miss("every required member of an institution") }
        self.init(name: name, uscc: uscc, nature: nature, category: category, district: district, address: address,
                  principal: principal, totalStaff: totalStaff, department: department, contact: contact, website: website, wechat: wechat)
    }
}

extension Principal {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        let (name, title) = try scanner.twoStrings("name", "title")
        self.init(name: name, title: title)
    }
}

extension Contact {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        let (name, phone) = try scanner.twoStrings("name", "phone")
        self.init(name: name, phone: phone)
    }
}

extension Website {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        let (name, url) = try scanner.twoStrings("name", "url")
        self.init(name: name, url: url)
    }
}

extension Department {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var name: String?, head: String?, phone: String?
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "name" { name = try scanner.string() }
            else if member == "head" { head = try scanner.string() }
            else if member == "phone" { phone = try scanner.string() }
            else { try scanner.skip() }
        }
        guard let name, let head, let phone else { throw scanner.miss("name, head and phone") }
        self.init(name: name, head: head, phone: phone)
    }
}

extension InfoChanged.Changes {
    init(scanning scanner: inout CanonicalScanner) throws(ScanMiss) {
        var changes = InfoChanged.Changes()
        try scanner.members { scanner, member throws(ScanMiss) in
            if member == "name" { changes.name = try scanner.optional { scanner throws(ScanMiss) in try scanner.string() } }
            else if member == "address" { changes.address = try scanner.optional { scanner throws(ScanMiss) in try scanner.string() } }
            else if member == "district" { changes.district = try scanner.optional { scanner throws(ScanMiss) in try scanner.string() } }
            else if member == "principal" { changes.principal = try scanner.optional { scanner throws(ScanMiss) in try Principal(scanning: &scanner) } }
            else if member == "contact" { changes.contact = try scanner.optional { scanner throws(ScanMiss) in try Contact(scanning: &scanner) } }
            else if member == "department" { changes.department = try scanner.optional { scanner throws(ScanMiss) in try Department(scanning: &scanner) } }
            else if member == "serviceItems" { changes.serviceItems = try scanner.optional { scanner throws(ScanMiss) in try scanner.strings() } }
            else if member == "website" { changes.website = try scanner.optional { scanner throws(ScanMiss) in try Website(scanning: &scanner) } }
            else if member == "wechat" { changes.wechat = try scanner.optional { scanner throws(ScanMiss) in try scanner.string() } }
            else { try scanner.skip() }
        }
        self = changes
    }
}

extension CanonicalScanner {
    /// An object of two string members (a name and a title, a name and a phone…), others skipped.
    mutating func twoStrings(_ first: StaticString, _ second: StaticString) throws(ScanMiss) -> (String, String) {
        var one: String?, two: String?
        try members { scanner, member throws(ScanMiss) in
            if member == first { one = try scanner.string() }
            else if member == second { two = try scanner.string() }
            else { try scanner.skip() }
        }
        guard let one, let two else { throw miss("members \(first) and \(second)") }
        return (one, two)
    }
}
