package org.bpf4j.stacks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The flame graph page: self-contained, rendered by headless Chromium offline, shares and search as drawn. */
class FlameGraphTest {
    @TempDir Path dir;

    private static FlameGraph graph() {
        FlameGraph g = new FlameGraph("test <profile>");
        g.add(List.of("java", "start_thread", "JavaMain", "Hot.main_[j]", "Hot.alpha_[j]", "Hot.delta_[j]"), 70);
        g.add(List.of("java", "start_thread", "JavaMain", "Hot.main_[j]", "Hot.beta_[j]", "Hot.delta_[j]"), 10);
        g.add(List.of("java", "start_thread", "JavaMain", "Hot.main_[j]", "Interpreter_[i]"), 15);
        g.add(List.of("sh", "</script><b>x"), 5);
        return g;
    }

    @Test
    void pageFetchesNothingAndEscapesNames() throws Exception {
        StringWriter w = new StringWriter();
        graph().write(w, "samples");
        String html = w.toString();
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"), "fetches nothing");
        assertFalse(html.contains("https://"));
        assertFalse(html.contains("<b>x"), "a frame name cannot end the script");
        assertEquals(100, graph().total());
    }

    @Test
    void chromiumDrawsTheFramesWithTheirSharesAndSearchHighlights() throws Exception {
        Path page = dir.resolve("flame.html");
        try (var w = Files.newBufferedWriter(page)) {
            graph().write(w, "samples");
        }
        List<Chromium.Frame> plain = Chromium.frames(Chromium.dom(page, ""));
        assertTrue(plain.contains(new Chromium.Frame("Hot.alpha", 70.0, false)), plain.toString());
        assertTrue(plain.contains(new Chromium.Frame("Interpreter", 15.0, false)), plain.toString());
        assertTrue(plain.contains(new Chromium.Frame("</script><b>x", 5.0, false)), plain.toString());
        assertTrue(plain.stream().noneMatch(Chromium.Frame::match));
        String searched = Chromium.dom(page, "search=Hot.delta");
        List<Chromium.Frame> frames = Chromium.frames(searched);
        assertTrue(frames.contains(new Chromium.Frame("Hot.delta", 70.0, true)), frames.toString());
        assertTrue(frames.contains(new Chromium.Frame("Hot.delta", 10.0, true)), frames.toString());
        assertTrue(frames.stream().filter(Chromium.Frame::match).allMatch(f -> f.name().equals("Hot.delta")), frames.toString());
        assertEquals(80.0, Chromium.matched(searched), 0.001);
    }
}
