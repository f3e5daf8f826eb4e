// Shows the total of the counts by sex as they are typed: the total is never typed itself.
document.addEventListener("DOMContentLoaded", () => {
  const output = document.getElementById("participants-total");
  if (!output) return;
  const inputs = document.querySelectorAll('input[data-count="sex"]');
  const update = () => {
    let total = 0;
    inputs.forEach((input) => {
      const value = parseInt(input.value, 10);
      if (!Number.isNaN(value) && value > 0) total += value;
    });
    output.textContent = total.toLocaleString(document.documentElement.lang || undefined);
  };
  inputs.forEach((input) => input.addEventListener("input", update));
  update();
});
