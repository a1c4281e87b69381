import Foundation
import TrackerSim

// tracker-sim: GitHub and Gitee issue APIs on loopback, for the crawl tests and benchmarks.
// Help asked for is the answer, on stdout with exit 0 (it went to stderr with the usage error's 64).
if CommandLine.arguments.dropFirst().contains(where: { $0 == "-h" || $0 == "--help" }) {
    print(SimCommandLine.usage)
    exit(0)
}
do {
    let options = try SimCommandLine.parse(Array(CommandLine.arguments.dropFirst()))
    let state = SimState(options: options)
    let tls = options.tlsCertificate.flatMap { cert in options.tlsKey.map { (certificate: cert, key: $0) } }
    let server = try SimServer(state: state, port: options.port, http2: options.http2, tls: tls)
    // Written unbuffered: whoever started the simulator waits for this line.
    FileHandle.standardOutput.write(Data("listening on \(options.scheme)://127.0.0.1:\(server.port)\n".utf8))
    try server.wait()
} catch {
    FileHandle.standardError.write(Data("tracker-sim: \(error)\n".utf8))
    exit(64)
}
