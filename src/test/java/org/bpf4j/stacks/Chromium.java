package org.bpf4j.stacks;

import org.bpf4j.testing.Kernel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Renders a page in Debian's headless Chromium with no network (its own network namespace, no proxy) and returns
 * the DOM after the page's script ran ({@code --dump-dom}): what a reader of the flame graph sees, as markup.
 */
public final class Chromium {
    private Chromium() {}

    /** One drawn frame: its name, share (percent) and whether search highlighted it. */
    public record Frame(String name, double share, boolean match) {}

    /** The DOM of {@code page} opened with {@code fragment} ({@code search=x}, or empty). */
    public static String dom(Path page, String fragment) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/chromium"))) Kernel.unless("chromium is not installed (scripts/env.sh installs it)");
        Path profile = Files.createTempDirectory("bpf4j-chromium");
        try {
            Process p = new ProcessBuilder("unshare", "-n", "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-proxy-server", "--no-first-run", "--user-data-dir=" + profile, "--window-size=1200,800", "--dump-dom",
                    page.toAbsolutePath().toUri() + (fragment.isEmpty() ? "" : "#" + fragment))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not end");
            assertEquals(0, p.exitValue(), "chromium failed");
            return dom;
        } finally {
            try (Stream<Path> s = Files.walk(profile)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static final Pattern FRAME = Pattern.compile("<g class=\"frame( match)?\" data-name=\"([^\"]*)\" data-share=\"([0-9.]+)\">");

    /** The frames the page drew. */
    public static List<Frame> frames(String dom) {
        Matcher m = FRAME.matcher(dom);
        List<Frame> out = new java.util.ArrayList<>();
        while (m.find()) out.add(new Frame(m.group(2).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"),
                Double.parseDouble(m.group(3)), m.group(1) != null));
        return out;
    }

    /** The share the search box reports as matched, or -1. */
    public static double matched(String dom) {
        Matcher m = Pattern.compile("<span id=\"matched\" data-share=\"([0-9.]+)\">").matcher(dom);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
