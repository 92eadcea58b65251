# Condition influence on real data (issue 14): how far apart are real A2V-sized windows when only the mouth moves
# (the same clip, frames reordered: same pose and lighting) and when the whole clip changes (another clip, same
# frame times)? A model whose given audio moves only the mouth and whose seed varies the rest as much as the data
# does would score about within/between on `avdit eval`'s influence-video (the same RMS over [0, 1] pixels).
#   python3 scripts/influence-ceiling.py [cache dir] [window start] [frames]
import json, sys
import numpy as np

d = sys.argv[1] if len(sys.argv) > 1 else 'cache/grid-all'
start, F = (int(sys.argv[2]) if len(sys.argv) > 2 else 4), (int(sys.argv[3]) if len(sys.argv) > 3 else 17)
m = json.load(open(f'{d}/manifest.json'))
S = m['config']['width']
clips = []
for c in m['clips']:
    if c.get('status') != 'ok' or c.get('split') != 'val' or c['numFrames'] < start + F:
        continue
    with open(f"{d}/{c['shard']}", 'rb') as f:
        f.seek(c['offset'])
        v = np.frombuffer(f.read(c['numFrames'] * S * S * 3), np.uint8).reshape(c['numFrames'], S, S, 3)
    clips.append(v[start:start + F].astype(np.float32) / 255)
V = np.stack(clips)
n = len(V)
rng = np.random.default_rng(0)
rms = lambda a, b: float(np.sqrt(((a - b) ** 2).mean()))


def report(name, X):
    between = [rms(X[i], X[j]) for i in range(n) for j in range(i + 1, n)]
    within = [rms(X[i], X[i][rng.permutation(F)]) for i in range(n) for _ in range(20)]
    b, w = np.mean(between), np.mean(within)
    print(f'{name}: another clip {b:.4f}, same clip reordered {w:.4f}, ratio {w / b:.3f}')


print(f'{n} validation clips of {d}, frames {start}..{start + F - 1}, RMS over [0, 1] pixels')
report('whole frame', V)
x0, y0, x1, y1 = m['config']['regions']['mouth']
report('mouth region', V[:, :, int(y0 * S):int(y1 * S), int(x0 * S):int(x1 * S)])
