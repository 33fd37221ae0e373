// Calls `patron serve` from Java with java.net.http (JDK 11+, no dependency).
// Usage: java JavaClient.java [BASE_URL] [TOKEN]   (default http://127.0.0.1:8080)
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

public class JavaClient {
    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
        String customer = "{\"id\":\"C-1001\",\"grade\":\"C\",\"grade_since\":\"2026-06-01\",\"region\":\"same_city\","
            + "\"purchases\":[{\"at\":\"2026-05-02\",\"amount\":12000},{\"at\":\"2026-10-02\",\"amount\":8000}]}";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/evaluate?as_of=2026-11-23"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(customer));
        if (args.length > 1) request.header("Authorization", "Bearer " + args[1]);
        HttpResponse<String> response = HttpClient.newHttpClient()
            .send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) throw new RuntimeException(response.statusCode() + " " + response.body());
        System.out.println(response.body()); // the evaluation: grade, stage, cadence, actions, policy hash
    }
}
