import Testing

#if os(Linux)
/// The service and the CLI run on jemalloc (Package.swift's `allocator`): under glibc's malloc, a query after
/// one that freed a large projection paid for sorting that projection's freed pieces (README, stop 44).
@Suite("The executables' allocator: jemalloc, which their measured figures assume")
struct AllocatorTests {
    @Test("outlet-ledger's malloc is jemalloc's: it answers jemalloc's own MALLOC_CONF")
    func jemallocServesMalloc() throws {
        // jemalloc prints its statistics at exit when asked; glibc's malloc ignores the variable.
        let result = try CLI.run(["--version"], environment: ["MALLOC_CONF": "stats_print:true"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("Begin jemalloc statistics"), "stderr: \(result.stderr.prefix(200))")
    }
}
#endif
