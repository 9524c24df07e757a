import Foundation

/// Ingest → publish across symbol universes: the C producer (`feed_push -t N`) pushes the same
/// number of quotes round N topics into a fresh feed-server's ingest as fast as it takes them,
/// recording on, one C subscriber counting what is published. Each universe's publish rate is
/// set beside the smallest universe's, measured in the same run (runs interleaved, median of
/// `repeats`). Beside it, feed-server's CPU time per message (all threads, from /proc), which
/// the machine's other load does not change as much as the rate.
///
/// The same runs give the server's memory: VmRSS and VmHWM once all N topics were published and
/// recorded (the sequencer's topic table, the recorder's dictionary, libzmq's queues).
///
/// Checked: every message sent was published and recorded.
struct UniverseIngestScenario {
    func run(_ run: BenchRun) throws -> [Figure] {
        let messages = run.size(2_000_000, quick: 200_000)
        let counts = run.topicCounts
        var rates = [[Double]](repeating: [], count: counts.count)
        var producerRates = rates
        var serverCPU = rates
        var loss = [Double](repeating: 0, count: counts.count)
        var memory = [(resident: Int, peak: Int)](repeating: (0, 0), count: counts.count)
        for attempt in 1...run.repeats {
            for (slot, topics) in counts.enumerated() {
                run.log("symbol universe: ingest → publish, \(topics) topics, run \(attempt) of \(run.repeats)")
                let result = try IngestRun(subscribers: 1, messages: messages, topics: topics)
                    .run(run, folder: try run.scratch("universe-ingest"))
                rates[slot].append(result.rate)
                producerRates[slot].append(result.producerRate)
                serverCPU[slot].append(result.serverCPU * 1e9 / Double(messages))
                loss[slot] = max(loss[slot], result.lossShare)
                if result.peak > memory[slot].peak { memory[slot] = (result.resident, result.peak) }
            }
        }
        let referenceName = "same, \(BenchmarkMessages.universeLabel(counts[0]))"
        var figures: [Figure] = []
        for (slot, topics) in counts.enumerated() {
            let isReference = slot == 0
            let cpu = serverCPU[slot].median
            let cpuNote =
                String(format: "feed-server CPU %.0f ns/msg", cpu)
                + (isReference ? "" : String(format: " (%.2fx that at ", cpu / serverCPU[0].median) + referenceName.dropFirst(6) + ")")
            figures.append(
                Figure(
                    name: "ingest → publish, C producer over \(BenchmarkMessages.universeLabel(topics)), 1 subscriber, recording on",
                    unit: .messagesPerSecond, better: .higher, ours: rates[slot].median,
                    baselineName: isReference ? nil : referenceName, baseline: isReference ? nil : rates[0].median,
                    target: !isReference && topics <= 10_000 ? .ratio(0.9) : nil,
                    note: "\(messages) messages, all published and recorded (checked); \(cpuNote); subscriber lost up to "
                        + String(format: "%.1f%%; producer sent at %.0f k msg/s; median of %d", loss[slot] * 100,
                            producerRates[slot].median / 1000, run.repeats)))
        }
        for (slot, topics) in counts.enumerated() {
            let isReference = slot == 0
            // A quick run sends fewer messages than the largest universe has topics.
            let published = BenchmarkMessages.universeLabel(min(topics, messages))
            figures.append(
                Figure(
                    name: "feed-server peak RSS (VmHWM) after \(published) published through ingest",
                    unit: .bytes, better: .lower, ours: Double(memory[slot].peak),
                    baselineName: isReference ? nil : referenceName, baseline: isReference ? nil : Double(memory[0].peak),
                    note: String(format: "VmRSS once all was recorded %.1f MiB; ", Double(memory[slot].resident) / 1_048_576)
                        + "\(messages) messages; the largest of \(run.repeats) runs"))
        }
        return figures
    }
}
