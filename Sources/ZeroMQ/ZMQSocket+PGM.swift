/// The settings a PGM multicast socket needs to keep up at a feed's rate, in one place for every
/// sender and receiver (feed-server's fan-out, relays, subscribers).
///
/// Measured in a namespace lab at 300,000 msg/s over `epgm://` (issue 12): with the kernel's
/// default receive buffer (`net.core.rmem_default`, 212,992 bytes, which holds only a few
/// hundred datagrams once the kernel's per-packet overhead is counted) a subscriber that lost
/// the CPU for a few milliseconds overflowed it: thousands of datagrams dropped by the kernel
/// on a link with no loss at all, more than PGM could repair, and the stream cut. Asked for
/// explicitly, the buffer rides out such pauses.
extension ZMQSocket {
    /// The kernel buffer every PGM socket asks for (ZMQ_RCVBUF, ZMQ_SNDBUF). The kernel grants
    /// at most `net.core.rmem_max` / `net.core.wmem_max` without a word, so this is an upper
    /// bound; `feed-server doctor` says when those ceilings are too low for the rate.
    public static let pgmSocketBufferBytes: Int32 = 16 << 20

    /// Prepares a SUB or XSUB, before it connects, to receive PGM: the receive window sized for
    /// `rateKilobits` and `recoveryIntervalMilliseconds` (libpgm sizes a receiver's window from
    /// these, as a sender's), a large kernel receive buffer, and an unlimited queue toward the
    /// application (a repaired gap releases everything PGM held back behind it at once; with a
    /// limit, libzmq's receiver aborted in `pgm_receiver.cpp:131`, libzmq issue 3218).
    public func preparePGMReceiver(rateKilobits: Int32, recoveryIntervalMilliseconds: Int32) throws {
        try set(.multicastRate, rateKilobits)
        try set(.recoveryInterval, recoveryIntervalMilliseconds)
        try set(.receiveHighWaterMark, 0)
        try set(.receiveBuffer, Self.pgmSocketBufferBytes)
    }
}
