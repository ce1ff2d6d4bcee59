namespace ChronoFlow.Samples.Web;

/// <summary>The admin endpoints: list and inspect jobs, run one now, pause and resume. Unknown ids get 404.</summary>
internal static class JobEndpoints
{
    public static IEndpointRouteBuilder MapJobEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var jobs = endpoints.MapGroup("/jobs");

        jobs.MapGet("/", static (JobScheduler scheduler) =>
            TypedResults.Ok(scheduler.GetJobs().Select(JobDto.From).ToList()));

        jobs.MapGet("/{id}", static IResult (string id, JobScheduler scheduler) =>
            scheduler.GetJob(id) is { } job ? TypedResults.Ok(JobDto.From(job)) : NotFound(id));

        jobs.MapPost("/{id}/run", static IResult (string id, JobScheduler scheduler) =>
        {
            if (scheduler.GetJob(id) is null)
            {
                return NotFound(id);
            }

            // False for a known job means it is already running as many runs as its MaxConcurrency allows: the
            // scheduler counted the run as skipped.
            return scheduler.Trigger(id)
                ? TypedResults.Accepted($"/jobs/{id}", JobDto.From(scheduler.GetJob(id)!))
                : TypedResults.Problem($"Job \"{id}\" is busy: the run was skipped.", statusCode: StatusCodes.Status409Conflict, title: "Job busy");
        });

        jobs.MapPost("/{id}/pause", static IResult (string id, JobScheduler scheduler) =>
            scheduler.Pause(id) ? TypedResults.Ok(JobDto.From(scheduler.GetJob(id)!)) : NotFound(id));

        jobs.MapPost("/{id}/resume", static IResult (string id, JobScheduler scheduler) =>
            scheduler.Resume(id) ? TypedResults.Ok(JobDto.From(scheduler.GetJob(id)!)) : NotFound(id));

        return endpoints;
    }

    private static IResult NotFound(string id) =>
        TypedResults.Problem($"There is no job with id \"{id}\".", statusCode: StatusCodes.Status404NotFound, title: "Job not found");
}
