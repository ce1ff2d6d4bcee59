using System.Net;
using System.Text.Json;

namespace ChronoFlow.Dashboard.Tests;

/// <summary>Requests to the dashboard as the page makes them: the antiforgery token fetched first and sent back.</summary>
internal static class Http
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>GET api/antiforgery: the cookie it sets, the header name and the request token.</summary>
    public static async Task<(string Cookie, string Header, string Token)> AntiforgeryAsync(HttpClient client, string api = "/chronoflow/api/", params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, api + "antiforgery");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = string.Join("; ", response.Headers.GetValues("Set-Cookie").Select(static c => c.Split(';')[0]));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (cookie, body.RootElement.GetProperty("headerName").GetString()!, body.RootElement.GetProperty("token").GetString()!);
    }

    public static Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string path, bool withToken = true, string api = "/chronoflow/api/", params (string Name, string Value)[] headers)
        => SendAsync(client, HttpMethod.Post, path, json: null, withToken, api, headers);

    /// <summary>An action with any method (PUT, DELETE), with <paramref name="json"/> as its body when given.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(
        HttpClient client, HttpMethod method, string path, string? json = null, bool withToken = true, string api = "/chronoflow/api/", params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, api + path);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        if (withToken)
        {
            var (cookie, header, token) = await AntiforgeryAsync(client, api, headers);
            request.Headers.Add("Cookie", cookie);
            request.Headers.Add(header, token);
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
