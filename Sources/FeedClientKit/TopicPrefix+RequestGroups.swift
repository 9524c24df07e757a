import FeedModel

extension TopicPrefix {
    /// `prefixes` as few requests to the replay service carry them: none under another
    /// (``FeedModel/TopicPrefix/covering(_:)``), in bytewise order, cut into consecutive groups
    /// of at most ``FeedModel/ReplayRequest/maximumPrefixes``. So each topic belongs to one
    /// group, and the groups' topics follow each other in bytewise order. Empty in, empty out.
    static func requestGroups(_ prefixes: [TopicPrefix]) -> [[TopicPrefix]] {
        let covering = covering(prefixes)
        return stride(from: 0, to: covering.count, by: ReplayRequest.maximumPrefixes).map { start in
            Array(covering[start..<min(start + ReplayRequest.maximumPrefixes, covering.count)])
        }
    }
}
