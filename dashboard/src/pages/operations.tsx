export function Operations() {
  return (
    <section>
      <h1>Operations</h1>
      <p className="empty">This page is being written.</p>
    </section>
  );
}
