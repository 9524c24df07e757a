import Testing

@testable import FeedServerCore

/// What the metrics endpoint answers to a request head, byte by byte as it arrives.
struct MetricsHTTPExchangeTests {
    static func answer(_ text: String) -> MetricsHTTPExchange.Answer? {
        MetricsHTTPExchange.answer(toReceived: Array(text.utf8))
    }

    @Test func getMetricsIsServedWhateverTheHeadersOrQuery() {
        #expect(Self.answer("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n") == .metrics)
        #expect(Self.answer("GET /metrics?x=1 HTTP/1.0\r\n\r\n") == .metrics)
    }

    @Test func anIncompleteHeadWaitsForMore() {
        #expect(Self.answer("") == nil)
        #expect(Self.answer("GET /metrics HTTP/1.1\r\nHost: x\r\n") == nil)
    }

    @Test func otherPathsMethodsAndGarbageAreRefusedWithTheirStatus() {
        #expect(Self.answer("GET / HTTP/1.1\r\n\r\n") == .error(status: 404, reason: "Not Found"))
        #expect(Self.answer("GET /metricsx HTTP/1.1\r\n\r\n") == .error(status: 404, reason: "Not Found"))
        #expect(Self.answer("HEAD /metrics HTTP/1.1\r\n\r\n") == .error(status: 405, reason: "Method Not Allowed"))
        #expect(Self.answer("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") == .error(status: 400, reason: "Bad Request"))
        #expect(Self.answer("GET  /metrics HTTP/1.1\r\n\r\n") == .error(status: 400, reason: "Bad Request"))
        #expect(Self.answer("\r\n\r\n") == .error(status: 400, reason: "Bad Request"))
    }

    @Test func aHeadOverTheLimitIsRefusedWithoutWaitingForItsEnd() {
        let long = "GET /metrics HTTP/1.1\r\nX: " + String(repeating: "a", count: MetricsHTTPExchange.maximumHeadBytes)
        #expect(Self.answer(long) == .error(status: 431, reason: "Request Header Fields Too Large"))
        #expect(Self.answer(long + "\r\n\r\n") == .error(status: 431, reason: "Request Header Fields Too Large"))
    }

    @Test func aRefusalSaysWhyAndClosesAndA405NamesGet() {
        let response = String(decoding: MetricsHTTPExchange.response(.error(status: 405, reason: "Method Not Allowed")) { [] }, as: UTF8.self)
        #expect(response.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        #expect(response.contains("\r\nAllow: GET\r\n") && response.contains("\r\nConnection: close\r\n"))
        #expect(response.hasSuffix("\r\n\r\n405 Method Not Allowed\n") && response.contains("\r\nContent-Length: 23\r\n"))
    }
}
