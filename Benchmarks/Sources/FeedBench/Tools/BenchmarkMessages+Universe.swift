/// What the benchmark messages hold in a symbol universe of N topics, for the scenarios that
/// check what a query or snapshot returned against it (see ``BenchmarkMessages``: message `i`,
/// from 1, is on topic `(i-1) % N` and published at `time(of: i)`).
extension BenchmarkMessages {
    /// A topic that has messages among the first `messages` and that no other such topic starts
    /// with, so a prefix query for it returns that one topic: the last Nasdaq symbol written, one
    /// with the most digits (`NASDAQ.S4999` of 10,000 topics).
    static func singleTopic(of count: Int, messages: Int) -> (index: Int, name: String) {
        let index = min(count / 2, messages) - 1
        return (index, topic(index, of: count))
    }

    /// Messages on topic `index` among the first `messages`.
    static func count(ofTopic index: Int, topics: Int, messages: Int) -> Int {
        messages / topics + (index < messages % topics ? 1 : 0)
    }

    /// "100 topics", "10,000 topics", "1,000,000 topics".
    static func universeLabel(_ count: Int) -> String {
        var digits = String(count)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + digits.suffix(3) + grouped
            digits.removeLast(3)
        }
        return digits + grouped + (count == 1 ? " topic" : " topics")
    }
}
