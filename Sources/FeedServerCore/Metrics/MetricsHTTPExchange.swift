/// What the metrics endpoint answers to the bytes one peer sent: HTTP/1.x, one request per
/// connection, `GET /metrics` only. Pure logic, no sockets: the endpoint feeds it and sends what
/// it returns.
///
/// Rules:
/// 1. A request head (request line and headers, up to the empty line) longer than
///    ``maximumHeadBytes`` is answered 431 without reading more.
/// 2. A request line that is not `METHOD SP TARGET SP HTTP/1.x` is answered 400.
/// 3. A method other than GET is answered 405 with `Allow: GET`; a path other than `/metrics`
///    (a query string is ignored) 404.
/// 4. Every answer closes the connection (`Connection: close`); a request body is never read.
enum MetricsHTTPExchange {
    /// The most bytes a request head may take (rule 1).
    static let maximumHeadBytes = 8192
    /// The one path served.
    static let path = "/metrics"
    /// Prometheus' text exposition format, version 0.0.4.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The answer to a whole request head.
    enum Answer: Equatable {
        case metrics
        case error(status: Int, reason: String)
    }

    /// The answer to what a peer sent so far, or `nil` while the head is still incomplete.
    static func answer(toReceived received: [UInt8]) -> Answer? {
        guard let headEnd = endOfHead(received) else {
            return received.count > maximumHeadBytes ? .error(status: 431, reason: "Request Header Fields Too Large") : nil
        }
        if headEnd > maximumHeadBytes { return .error(status: 431, reason: "Request Header Fields Too Large") }
        let lineEnd = received[..<headEnd].firstIndex(of: UInt8(ascii: "\r")) ?? headEnd
        let parts = received[..<lineEnd].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[2].starts(with: Array("HTTP/1.".utf8)),
            parts[1].first == UInt8(ascii: "/")
        else {
            return .error(status: 400, reason: "Bad Request")
        }
        guard parts[0].elementsEqual("GET".utf8) else { return .error(status: 405, reason: "Method Not Allowed") }
        let path = parts[1].split(separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard path.elementsEqual(Self.path.utf8) else { return .error(status: 404, reason: "Not Found") }
        return .metrics
    }

    /// The bytes of the response for `answer`; `metrics` makes the exposition only when asked.
    static func response(_ answer: Answer, metrics: () -> [UInt8]) -> [UInt8] {
        switch answer {
        case .metrics:
            return response(status: 200, reason: "OK", contentType: contentType, body: metrics())
        case .error(let status, let reason):
            return response(
                status: status, reason: reason, contentType: "text/plain; charset=utf-8", body: Array("\(status) \(reason)\n".utf8),
                extraHeaders: status == 405 ? "Allow: GET\r\n" : "")
        }
    }

    private static func response(status: Int, reason: String, contentType: String, body: [UInt8], extraHeaders: String = "") -> [UInt8] {
        let head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
            + "\(extraHeaders)Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// The index just past the empty line ending the head, if it arrived.
    private static func endOfHead(_ bytes: [UInt8]) -> Int? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= terminator.count else { return nil }
        for start in 0...(bytes.count - terminator.count) where bytes[start] == 13 {
            if bytes[start..<(start + 4)].elementsEqual(terminator) { return start + 4 }
        }
        return nil
    }
}
