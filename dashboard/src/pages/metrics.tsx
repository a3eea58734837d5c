export function Metrics() {
  return (
    <section>
      <h1>Metrics</h1>
      <p className="empty">This page is being written.</p>
    </section>
  );
}
