// The page of the throughput benchmark: one channel rendered into a React list through
// @herald/react, with a frame clock beside it.
import { createRoot } from "react-dom/client";
import { HeraldClient } from "@herald/client";
import { HeraldProvider, useChannel } from "@herald/react";

interface Line {
  n: number;
}

const params = new URLSearchParams(location.search);
const channel = params.get("channel")!;
const client = new HeraldClient(location.origin, { token: params.get("token")! });
const w = window as any;
w.received = 0;
w.rendered = 0;
w.frames = [] as number[];
client.subscribe<Line>(channel).on("publication", () => w.received++);

function List() {
  const { publications } = useChannel<Line>(channel, { maxItems: 200 });
  const last = publications[publications.length - 1];
  if (last) w.rendered = last.data.n;
  return (
    <ol>
      {publications.map((p) => (
        <li key={p.publicationId}>
          #{p.data.n} {p.type} {p.timestamp}
        </li>
      ))}
    </ol>
  );
}

function tick(t: number) {
  w.frames.push(t);
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);

createRoot(document.getElementById("root")!).render(
  <HeraldProvider client={client}>
    <List />
  </HeraldProvider>,
);
client.ready().then(() => (w.connected = true));
