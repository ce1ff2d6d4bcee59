using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace ChronoFlow.AspNetCore.Dashboard;

/// <summary>One file of the dashboard, embedded in the assembly, served with its content type and an ETag.</summary>
internal sealed class DashboardAssets
{
    private readonly Lazy<(byte[] Bytes, string ETag)> _content;

    private DashboardAssets(string name, string contentType)
    {
        Name = name;
        ContentType = contentType;
        _content = new Lazy<(byte[], string)>(() => Load(name));
    }

    public static DashboardAssets Page { get; } = new("index.html", "text/html; charset=utf-8");

    public static DashboardAssets Script { get; } = new("dashboard.js", "text/javascript; charset=utf-8");

    public static DashboardAssets Styles { get; } = new("dashboard.css", "text/css; charset=utf-8");

    public string Name { get; }

    public string ContentType { get; }

    public string ETag => _content.Value.ETag;

    public Task WriteAsync(HttpContext context)
    {
        var (bytes, etag) = _content.Value;
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*")))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    private static (byte[], string) Load(string name)
    {
        var resource = "ChronoFlow.Dashboard." + name;
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The ChronoFlow dashboard asset \"{resource}\" is missing from {typeof(DashboardAssets).Assembly.GetName().Name}: the build did not embed it.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return (bytes, "\"" + Convert.ToHexString(SHA256.HashData(bytes), 0, 16) + "\"");
    }
}
