extension PGMEndpoint {
    /// Whether `endpoint` names a PGM transport (`epgm://` or `pgm://`), which needs
    /// ``resolved()`` before libzmq sees it.
    public static func isPGM(_ endpoint: String) -> Bool {
        endpoint.hasPrefix("epgm://") || endpoint.hasPrefix("pgm://")
    }
}
