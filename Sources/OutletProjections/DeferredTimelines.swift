import CPrefetch
import OutletDomain
import Synchronization

/// Where a restored projection's timelines are read from when a query first asks for one: a snapshot's
/// bytes, one self-contained timeline at a time (Snapshots/FORMAT.md).
package protocol TimelineSource: AnyObject, Sendable {
    /// The timeline at `id`, the place the restored index gives it; an error names the damage if its
    /// bytes do not decode.
    func timeline(at id: Int) throws -> Timeline

    /// The institution of the timeline at `id` and the state of its version at `position`, decoded alone.
    func state(at id: Int, position: Int) throws -> (uscc: USCC, state: InstitutionState)

    /// The timeline at `id` continued from its version at `position` (`Timeline.continued`): that version and
    /// those after it decoded, the ones before passed over.
    func timeline(at id: Int, from position: Int) throws -> Timeline
}

/// The timelines of a restored projection, each decoded the first time a query reads it, then kept for
/// every copy of the projection (or, `keeps` false, only the states read, decoded alone): a roster reads
/// the outlets on it, not a million versions, and a tail of events folds into the timelines it touches alone.
///
/// A slot is written once, under `writing`, before its flag is set (releasing); it is read only after its
/// flag is seen set (acquiring), so readers on every core take no lock once a timeline is decoded.
final class DeferredTimelines: @unchecked Sendable {
    let source: any TimelineSource
    /// The institution and the version count the restored index gives each place: what a decoded
    /// timeline must be, or the index answered for a timeline that is not the snapshot's.
    private let institutions: [USCC]
    private let versionCounts: [Int32]
    private let slots: UnsafeMutablePointer<Timeline>
    private let ready: UnsafeMutablePointer<Atomic<Bool>>
    private let writing = Mutex(())

    /// Whether a state read is kept as its whole timeline (a long-lived projection's reads come back).
    let keeps: Bool

    init(source: any TimelineSource, institutions: [USCC], versionCounts: [Int32], keeps: Bool) {
        precondition(institutions.count == versionCounts.count, "a version count per institution")
        self.source = source
        self.keeps = keeps
        self.institutions = institutions
        self.versionCounts = versionCounts
        slots = .allocate(capacity: institutions.count)
        ready = .allocate(capacity: institutions.count)
        for id in institutions.indices { (ready + id).initialize(to: Atomic(false)) }
    }

    deinit {
        for id in institutions.indices where ready[id].load(ordering: .acquiring) { (slots + id).deinitialize(count: 1) }
        ready.deinitialize(count: institutions.count)
        ready.deallocate()
        slots.deallocate()
    }

    /// The state of the version at `position` of the timeline at `id`: from the timeline if it is decoded,
    /// else decoded alone and not kept (`keeps` false: a one-off query over many institutions, a roster
    /// in a process that answers it and ends, reads one version of each and needs no timeline kept).
    /// The state is lent by its address where it lies, not copied out of its timeline.
    @inline(__always)
    func withState<Result>(_ id: Int, position: Int, _ body: (UnsafePointer<InstitutionState>) -> Result) -> Result {
        if keeps || ready[id].load(ordering: .acquiring) {
            if !ready[id].load(ordering: .acquiring) { _ = timeline(id) }
            // In its slot, through the pointer: `timeline(id)` hands out a copy (its arrays' reference counts).
            return (slots + id).pointee.allVersions.withUnsafeBufferPointer { versions in
                precondition(versions.indices.contains(position), "the index names only versions of this timeline")
                return body(Timeline.Version.state(of: versions.baseAddress! + position))
            }
        }
        var read = decoded(id, { try source.state(at: id, position: position) }, uscc: \.uscc) { _ in position < versionCounts[id] }
        return withUnsafePointer(to: &read.state) { body($0) }
    }

    /// The state of the version at `position` of the timeline at `id` where it lies in its slot, decoded now
    /// if it is not yet (`keeps`); nil for a state `withState` decodes alone. `Slots` answers once it is decoded.
    func stateInPlace(_ id: Int, position: Int) -> UnsafePointer<InstitutionState>? {
        guard keeps || ready[id].load(ordering: .acquiring) else { return nil }
        if !ready[id].load(ordering: .acquiring) { _ = timeline(id) }
        return lent.stateInPlace(id, position: position)
    }

    /// The slots and their flags, lent without this object: what a loop over a roster reads for every entry
    /// on every core. Read through the object, each read moved its reference count — one cache line passed
    /// between the cores for every entry, a fifth of a held roster's time. Valid while this object lives: its
    /// holder keeps both.
    struct Slots: @unchecked Sendable {
        fileprivate let slots: UnsafeMutablePointer<Timeline>
        fileprivate let ready: UnsafeMutablePointer<Atomic<Bool>>

        /// The state of the version at `position` of the timeline at `id` where it lies in its slot, if it is
        /// decoded (a slot, once written, holds its timeline unchanged until the object is freed).
        @inline(__always)
        func stateInPlace(_ id: Int, position: Int) -> UnsafePointer<InstitutionState>? {
            guard ready[id].load(ordering: .acquiring) else { return nil }
            return Timeline.state(at: position, inSlot: UnsafeRawPointer(slots + id))
        }

        /// Asks for the slot of the timeline at `id` and its flag (`RegistryProjection.prefetchStates`).
        @inline(__always)
        func prefetchSlot(_ id: Int) {
            outlet_prefetch(slots + id)
            outlet_prefetch(ready + id)
        }

        /// Asks for the version at `position` of the timeline at `id`, if it is decoded.
        @inline(__always)
        func prefetchVersion(_ id: Int, position: Int) {
            guard ready[id].load(ordering: .acquiring) else { return }
            Timeline.prefetchVersion(at: position, inSlot: UnsafeRawPointer(slots + id))
        }

        /// Asks for the parts a roster entry reads of the version at `position` of the timeline at `id`, if it is decoded.
        @inline(__always)
        func prefetchEntryParts(_ id: Int, position: Int) {
            guard ready[id].load(ordering: .acquiring) else { return }
            Timeline.prefetchEntryParts(at: position, inSlot: UnsafeRawPointer(slots + id))
        }
    }

    var lent: Slots { Slots(slots: slots, ready: ready) }

    /// What `decode` reads of the timeline at `id`: of the institution the restored index names there (`uscc`),
    /// and as the index has it (`fits`). Its bytes were bound by the snapshot's digest when it loaded, so only a
    /// snapshot this program did not write can fail here: that stops the process (`verify` names such a
    /// snapshot) rather than answer from an index the timelines do not bear out.
    @inline(__always)
    private func decoded<Value>(_ id: Int, _ decode: () throws -> Value, uscc: (Value) -> USCC, fits: (Value) -> Bool) -> Value {
        let value: Value
        do {
            value = try decode()
        } catch {
            preconditionFailure("a snapshot whose digest matched does not decode (\(error)): not written by this program; `outlet-ledger verify` names it")
        }
        precondition(uscc(value) == institutions[id] && fits(value),
                     "a snapshot's timeline of \(uscc(value)) is not the one its index names: not written by this program; `outlet-ledger verify` names it")
        return value
    }

    /// The timeline at `id` for a tail to fold into, in a projection that keeps no timeline (`keeps` false):
    /// continued from its newest version (`Timeline.continued`), unless it is decoded whole already. Not kept
    /// here: the projection holds it.
    func continuation(_ id: Int) -> Timeline {
        let newest = Int(versionCounts[id]) - 1
        if keeps || newest < 0 || ready[id].load(ordering: .acquiring) { return timeline(id) }
        return decoded(id, { try source.timeline(at: id, from: newest) }, uscc: \.uscc) { $0.heldFrom == newest && $0.allVersions.count == 1 }
    }

    /// The timeline at `id`, decoded on first use.
    func timeline(_ id: Int) -> Timeline {
        if ready[id].load(ordering: .acquiring) { return slots[id] }
        let whole = decoded(id, { try source.timeline(at: id) }, uscc: \.uscc) { $0.allVersions.count == versionCounts[id] }
        return writing.withLock { _ in
            if !ready[id].load(ordering: .acquiring) {
                (slots + id).initialize(to: whole)
                ready[id].store(true, ordering: .releasing)
            }
            return slots[id]
        }
    }
}
