/// Where the whole message is in what a PGM (multicast) subscriber received as one multipart
/// message.
///
/// A feed message is two frames, topic then body. When PGM reports a loss it could not repair
/// (the publisher's repair window had passed it), libzmq drops its decoder and rejoins the
/// stream at the next message start, but keeps what it had already handed on: the cut message's
/// topic frame, flagged "more". The next whole message is appended to it, so the subscriber
/// receives `[cut topic, topic, body]`, one leading frame per cut message. These are remains of a
/// loss (which sequence checks report as a gap), not malformed input. A lone frame over PGM (a
/// body without its topic) holds no whole message either and is skipped the same way.
public enum MulticastFrames {
    /// The index of the whole message's topic frame among `count` frames of which the first
    /// `readable` can be read: `count - 2`, so the frames before it are remains of cut messages.
    /// `nil` when there is no whole message to read (a lone frame, or more frames than readable).
    public static func firstOfWholeMessage(count: Int, readable: Int) -> Int? {
        guard count >= 2, count <= readable else { return nil }
        return count - 2
    }
}
