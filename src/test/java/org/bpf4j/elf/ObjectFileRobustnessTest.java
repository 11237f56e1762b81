package org.bpf4j.elf;

import org.bpf4j.UserException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Damaged objects: each fixture with bytes flipped at random (seeded) and cut short must parse or fail with a
 * {@link UserException} naming the file, never another exception.
 */
class ObjectFileRobustnessTest {
    @Test
    void damagedObjectsFailWithOneMessage() {
        for (String fixture : new String[] {"globals", "maps", "calls", "legacy"}) {
            byte[] good = BpfObjects.bytes(fixture);
            Random r = new Random(fixture.hashCode());
            for (int round = 0; round < 300; round++) {
                byte[] bad = good.clone();
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    // most of an object is debug info: aim half the flips at its first 4 KiB and its section headers
                    int at = switch (r.nextInt(3)) {
                        case 0 -> r.nextInt(Math.min(4096, bad.length));
                        case 1 -> bad.length - 1 - r.nextInt(Math.min(4096, bad.length));
                        default -> r.nextInt(bad.length);
                    };
                    bad[at] = (byte) r.nextInt(256);
                }
                if (r.nextInt(10) == 0) bad = java.util.Arrays.copyOf(bad, r.nextInt(bad.length));
                String name = fixture + "-" + round + ".o";
                try {
                    ObjectFile.parse(bad, name);
                } catch (UserException e) {
                    assertTrue(e.getMessage().startsWith(name + ": ") || e.getMessage().contains(name), e.getMessage());
                } catch (RuntimeException e) {
                    throw new AssertionError(fixture + " round " + round + ": " + e, e);
                }
            }
        }
    }
}
