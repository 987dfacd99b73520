namespace Lifeboat;

/// <summary>
/// One step of a preflight: the name its check is reported under, and the work that makes the check. A front end runs
/// a source's steps in order, each within its own time limit, so one that hangs is that step's failure and the steps
/// after it still run; a step that needs what an earlier one found (a connection) reports itself skipped without it.
/// </summary>
/// <param name="Name">The check's name: a source and an aspect of it ("postgres/app permissions").</param>
/// <param name="RunAsync">Makes the check; throws only for what it could not foresee, which the front end reports.</param>
public sealed record PreflightStep(string Name, Func<CancellationToken, Task<HealthCheck>> RunAsync);
