import FakesWire

/// Every child process of these tests starts through `posix_spawn`
/// (``ChildProcess``), not Foundation's `Process`, whose `run()` crashes
/// now and then on Linux with Swift 6.3.1 (see ``ChildProcess``).
typealias Process = ChildProcess
