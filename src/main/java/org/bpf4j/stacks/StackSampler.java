package org.bpf4j.stacks;

import org.bpf4j.stacks.StackSymbols.Frame;
import org.bpf4j.tool.Tool;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the stack ids a tool's script sent with a sample ({@code kstack}, {@code ustack}) into named frames as the
 * sample arrives, caching each user stack's names per process until the process's JIT code map changes. An id of
 * -EFAULT is an empty stack (BCC's reading: a kernel stack of a sample in user space, or a kernel thread's user
 * stack); other negative ids are stacks the kernel could not record (null: printed as missed).
 */
public final class StackSampler {
    private static final long EFAULT = -14;

    private record UserKey(int pid, long id, long generation) {}

    private final Tool tool;
    private final StackSymbols symbols;
    private final StackCounts.Format format;
    private final FramePointerCheck check;
    private final Map<Long, List<Frame>> kernel = new HashMap<>();
    private final Map<UserKey, List<Frame>> user = new HashMap<>();

    /** Names the stacks of {@code tool}'s samples with {@code symbols}; JVM stacks also go to {@code check}. */
    public StackSampler(Tool tool, StackSymbols symbols, StackCounts.Format format, FramePointerCheck check) {
        this.tool = tool;
        this.symbols = symbols;
        this.format = format;
        this.check = check;
    }

    /** The stack of one sample of process {@code pid}, named now. */
    public StackCounts.Stack stack(int pid, String comm, long kstack, long ustack) {
        List<Frame> k = format.userOnly() ? List.of() : kernelFrames(kstack);
        List<Frame> u = format.kernelOnly() ? List.of() : userFrames(pid, ustack);
        if (u != null && symbols.isJvm(pid)) check.sample(pid, u);
        return new StackCounts.Stack(comm, pid, u, k);
    }

    private List<Frame> kernelFrames(long id) {
        if (id == EFAULT) return List.of();
        if (id < 0) return null;
        return kernel.computeIfAbsent(id, i -> {
            List<Frame> out = new ArrayList<>();
            for (long addr : tool.stack(i)) out.add(symbols.kernel(addr));
            return List.copyOf(out);
        });
    }

    private List<Frame> userFrames(int pid, long id) {
        if (id == EFAULT || pid == 0) return List.of();
        if (id < 0) return null;
        var map = symbols.codeMap(pid);
        UserKey key = new UserKey(pid, id, map == null ? 0 : map.generation());
        List<Frame> cached = user.get(key);
        if (cached != null) return cached;
        if (user.size() > 100_000) user.clear();
        List<Frame> out = new ArrayList<>();
        for (long addr : tool.stack(id)) out.add(symbols.user(pid, addr));
        List<Frame> frames = List.copyOf(out);
        user.put(key, frames);
        return frames;
    }
}
