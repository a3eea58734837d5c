export function Channels() {
  return (
    <section>
      <h1>Channels</h1>
      <p className="empty">This page is being written.</p>
    </section>
  );
}
