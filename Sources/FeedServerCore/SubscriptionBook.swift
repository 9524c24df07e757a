import ZeroMQ

/// Which subscriber connection holds which prefixes on a publish socket, so that one subscriber
/// can hold only so many, and so that the owner knows when a prefix gains its first holder or
/// loses its last (what a relay passes upstream).
///
/// Decisions only: ``FanOut`` feeds it what its XPUB (XPUB_VERBOSER) passes on, each
/// subscription and cancel with the connection it came from, and the connections that ended.
///
/// Rules:
/// 1. A connection's prefixes form a set, as libzmq's filter keeps them per connection: a
///    repeated subscription holds nothing more (it is still answered as held, so a relay can
///    ask its origin for a heartbeat again), a cancel removes the prefix if held.
/// 2. A subscription beyond ``limit`` prefixes, or longer than a topic, is refused: the answer
///    says the connection must go, and from then on the book ignores that connection until it
///    ends.
/// 3. A prefix's holders are the connections holding it plus `inproc://` subscribers, which
///    come without a connection of their own and are neither limited nor told apart.
/// 4. A connection that ends lets go of every prefix it held.
struct SubscriptionBook {
    /// Who sent a subscription.
    enum Holder: Hashable {
        case connection(ConnectionDescriptor)
        /// Any `inproc://` subscriber of the same process.
        case inproc
    }

    /// What one subscription or cancel did.
    enum Outcome: Equatable {
        /// Held now (maybe already before, rule 1); `first` when no one held the prefix before.
        case held(first: Bool)
        /// Let go of; `last` when no one holds the prefix any more.
        case released(last: Bool)
        /// Changed nothing: a cancel of a prefix not held, or anything from a connection being dropped.
        case unchanged
        /// Refused (rule 2): the connection must be disconnected for this reason.
        case refused(SubscriberDropReason)
    }

    let limit: Int
    private var prefixesByHolder: [Holder: Set<[UInt8]>] = [:]
    private var holderCounts: [[UInt8]: Int] = [:]
    private var dropping: Set<ConnectionDescriptor> = []

    init(limit: Int) { self.limit = limit }

    /// Prefixes held by `holder`.
    func count(of holder: Holder) -> Int { prefixesByHolder[holder]?.count ?? 0 }

    mutating func subscribe(_ prefix: [UInt8], by holder: Holder) -> Outcome {
        if case .connection(let descriptor) = holder {
            if dropping.contains(descriptor) { return .unchanged }
            if prefix.count > SubscriberGuards.maximumSubscriptionLength { return refuse(descriptor, .subscriptionTooLong) }
            if count(of: holder) >= limit, prefixesByHolder[holder]?.contains(prefix) != true {
                return refuse(descriptor, .tooManySubscriptions)
            }
        }
        guard prefixesByHolder[holder, default: []].insert(prefix).inserted else { return .held(first: false) }
        holderCounts[prefix, default: 0] += 1
        return .held(first: holderCounts[prefix] == 1)
    }

    mutating func cancel(_ prefix: [UInt8], by holder: Holder) -> Outcome {
        guard prefixesByHolder[holder]?.remove(prefix) != nil else { return .unchanged }
        return .released(last: release(prefix))
    }

    /// Forgets a connection that ended (rule 4); returns the prefixes no one holds any more.
    mutating func remove(_ descriptor: ConnectionDescriptor) -> [[UInt8]] {
        dropping.remove(descriptor)
        guard let prefixes = prefixesByHolder.removeValue(forKey: .connection(descriptor)) else { return [] }
        return prefixes.filter { release($0) }
    }

    private mutating func refuse(_ descriptor: ConnectionDescriptor, _ reason: SubscriberDropReason) -> Outcome {
        dropping.insert(descriptor)
        return .refused(reason)
    }

    /// Removes one holder of `prefix`; returns whether none is left.
    private mutating func release(_ prefix: [UInt8]) -> Bool {
        guard let count = holderCounts[prefix] else { preconditionFailure("prefix released but not held") }
        holderCounts[prefix] = count > 1 ? count - 1 : nil
        return count == 1
    }
}
